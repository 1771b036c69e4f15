package dev.cairn.p2p.kad;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The k-buckets: plain logic, stepped by one thread ({@link KadTable}'s owner, or a test). Bucket
 * {@code i} holds peers whose key shares exactly {@code i} leading bits with ours.
 *
 * <p>Each bucket keeps at most k live entries, least recently seen first, and a replacement cache
 * of at most {@code replacements} peers seen while the bucket was full (at the limit the oldest
 * candidate is dropped). When a newcomer meets a full bucket whose least recently seen entry was
 * not seen within the liveness interval, {@link #observe} asks the caller to check that entry; a
 * failed check, {@code failureLimit} consecutive failed requests or one protocol violation evicts
 * it, and the newest replacement takes its place.
 *
 * <p>One check runs per bucket at a time, but a check whose result has not come back within the
 * liveness interval no longer holds the bucket: its answer may be lost (the owner's mailbox drops
 * commands when full, which peers can cause, or the check died), and a bucket waiting for it
 * forever would never again let a newcomer replace a dead entry. The next newcomer then asks for a
 * new check; a late answer to the old one still counts.
 */
final class RoutingTable {

  /** A peer in a bucket. Mutable; never leaves this class (snapshots copy it). */
  private static final class Entry {
    final PeerId peer;
    final KadKey key;
    long lastSeen;
    int failures;

    Entry(PeerId peer, KadKey key, long now) {
      this.peer = peer;
      this.key = key;
      this.lastSeen = now;
    }
  }

  /** An immutable view of one entry, for readers on other threads. */
  record Member(PeerId peer, KadKey key) {}

  private static final class Bucket {
    final LinkedHashMap<PeerId, Entry> live = new LinkedHashMap<>();
    final LinkedHashMap<PeerId, KadKey> replacements = new LinkedHashMap<>();
    PeerId checking; // the entry whose liveness check is under way, or null
    long checkingSince; // when that check was asked for
  }

  private final KadKey self;
  private final int k;
  private final int replacementLimit;
  private final int failureLimit;
  private final long livenessMillis;
  private final Bucket[] buckets = new Bucket[KadKey.BITS];
  private int size;

  RoutingTable(PeerId self, int k, int replacementLimit, int failureLimit, long livenessMillis) {
    this.self = KadKey.of(self);
    this.k = k;
    this.replacementLimit = replacementLimit;
    this.failureLimit = failureLimit;
    this.livenessMillis = livenessMillis;
  }

  KadKey self() {
    return self;
  }

  int size() {
    return size;
  }

  boolean contains(PeerId peer) {
    Bucket b = bucketOf(KadKey.of(peer), false);
    return b != null && b.live.containsKey(peer);
  }

  /**
   * A peer proved it serves the protocol (identify listed it, or it answered a request). Returns
   * the peer whose liveness the caller should check before the newcomer can get in, or null.
   */
  PeerId observe(PeerId peer, long now) {
    KadKey key = KadKey.of(peer);
    if (key.equals(self)) {
      return null;
    }
    Bucket b = bucketOf(key, true);
    Entry e = b.live.remove(peer);
    if (e != null) {
      e.lastSeen = now;
      e.failures = 0;
      b.live.put(peer, e); // to the most recently seen end
      return null;
    }
    if (b.live.size() < k) {
      b.replacements.remove(peer);
      b.live.put(peer, new Entry(peer, key, now));
      size++;
      return null;
    }
    b.replacements.remove(peer);
    b.replacements.put(peer, key);
    if (b.replacements.size() > replacementLimit) {
      Iterator<PeerId> it = b.replacements.keySet().iterator();
      it.next();
      it.remove();
    }
    Entry oldest = b.live.values().iterator().next();
    boolean checkUnderWay = b.checking != null && now - b.checkingSince < livenessMillis;
    if (!checkUnderWay && now - oldest.lastSeen >= livenessMillis) {
      b.checking = oldest.peer;
      b.checkingSince = now;
      return oldest.peer;
    }
    return null;
  }

  /** The answer to a liveness check that {@link #observe} asked for. */
  void livenessResult(PeerId peer, boolean alive, long now) {
    Bucket b = bucketOf(KadKey.of(peer), false);
    if (b == null) {
      return;
    }
    if (peer.equals(b.checking)) {
      b.checking = null;
    }
    if (alive) {
      if (b.live.containsKey(peer)) {
        observe(peer, now);
      }
    } else {
      evict(peer);
    }
  }

  /**
   * A request to {@code peer} failed. {@code violation}: it broke the protocol (malformed or
   * oversized answer), which evicts at once; otherwise (timeout, refused, I/O) after {@code
   * failureLimit} consecutive failures. Returns whether the peer was evicted.
   */
  boolean failed(PeerId peer, boolean violation) {
    Bucket b = bucketOf(KadKey.of(peer), false);
    if (b == null) {
      return false;
    }
    Entry e = b.live.get(peer);
    if (e == null) {
      b.replacements.remove(peer);
      return false;
    }
    e.failures++;
    if (violation || e.failures >= failureLimit) {
      evict(peer);
      return true;
    }
    return false;
  }

  /** Removes {@code peer} (it left server mode, say); the newest replacement takes its place. */
  void evict(PeerId peer) {
    Bucket b = bucketOf(KadKey.of(peer), false);
    if (b == null) {
      return;
    }
    b.replacements.remove(peer);
    if (b.live.remove(peer) == null) {
      return;
    }
    size--;
    if (peer.equals(b.checking)) {
      b.checking = null;
    }
    if (!b.replacements.isEmpty()) {
      Map.Entry<PeerId, KadKey> newest = null;
      for (Map.Entry<PeerId, KadKey> r : b.replacements.entrySet()) {
        newest = r;
      }
      b.replacements.remove(newest.getKey());
      // not seen since it queued: a full bucket checks it first when the next newcomer arrives
      b.live.put(
          newest.getKey(), new Entry(newest.getKey(), newest.getValue(), Long.MIN_VALUE / 2));
      size++;
    }
  }

  /** The {@code n} members closest to {@code target}, closest first. */
  List<Member> closest(KadKey target, int n) {
    return closest(members(), target, n);
  }

  static List<Member> closest(List<Member> members, KadKey target, int n) {
    return members.stream()
        .sorted(Comparator.comparing(Member::key, target::compareDistance))
        .limit(n)
        .toList();
  }

  /** Every live entry, as an immutable list. */
  List<Member> members() {
    List<Member> out = new ArrayList<>(size);
    for (Bucket b : buckets) {
      if (b != null) {
        for (Entry e : b.live.values()) {
          out.add(new Member(e.peer, e.key));
        }
      }
    }
    return List.copyOf(out);
  }

  /** Common-prefix lengths of the non-empty buckets. */
  List<Integer> nonEmptyBuckets() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] != null && !buckets[i].live.isEmpty()) {
        out.add(i);
      }
    }
    return out;
  }

  int replacementCount() {
    int n = 0;
    for (Bucket b : buckets) {
      n += b == null ? 0 : b.replacements.size();
    }
    return n;
  }

  private Bucket bucketOf(KadKey key, boolean create) {
    int cpl = self.commonPrefixLength(key);
    if (cpl >= KadKey.BITS) {
      return null;
    }
    if (buckets[cpl] == null && create) {
      buckets[cpl] = new Bucket();
    }
    return buckets[cpl];
  }
}
