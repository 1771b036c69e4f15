package dev.cairn.p2p.gossip;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of messages seen recently, for duplicate suppression. Owned by the router's thread.
 *
 * <p>Bound: entries live {@code ttl} milliseconds and at most {@code max} are kept; at the limit
 * the oldest is forgotten early (a very old duplicate might then be processed again; the
 * application's own validation still stops it).
 */
final class SeenCache {
  private final long ttl;
  private final int max;
  private final LinkedHashMap<MessageId, Long> expiries = new LinkedHashMap<>();

  SeenCache(long ttlMillis, int max) {
    this.ttl = ttlMillis;
    this.max = max;
  }

  /** Records {@code id}; returns false if it was already there. */
  boolean add(MessageId id, long now) {
    if (expiries.containsKey(id)) {
      return false;
    }
    if (expiries.size() >= max) {
      Iterator<Map.Entry<MessageId, Long>> it = expiries.entrySet().iterator();
      it.next();
      it.remove();
    }
    expiries.put(id, now + ttl);
    return true;
  }

  /** Forgets {@code id} (a message we did not get to judge); expiry order is unchanged. */
  void remove(MessageId id) {
    expiries.remove(id);
  }

  boolean contains(MessageId id) {
    return expiries.containsKey(id);
  }

  /** Drops expired entries (insertion order is expiry order). */
  void expire(long now) {
    Iterator<Map.Entry<MessageId, Long>> it = expiries.entrySet().iterator();
    while (it.hasNext() && it.next().getValue() <= now) {
      it.remove();
    }
  }

  int size() {
    return expiries.size();
  }
}
