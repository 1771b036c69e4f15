package dev.cairn.chain;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blocks whose parent is unknown, waiting for it. Owned by the chain owner thread.
 *
 * <p>Bounds: at most {@code maxCount} blocks and {@code maxBytes} encoded bytes. At a bound the
 * OLDEST arrivals are evicted first (a recent block is the likelier to connect soon, and an
 * attacker flooding the pool only pushes out its own earlier junk once honest blocks connect).
 * Expiry: a block older than {@code expiryMillis} is dropped on a tick.
 */
final class OrphanPool {
  record Orphan(Block block, Hash hash, String source, long arrival, int bytes) {}

  private final int maxCount;
  private final long maxBytes;
  private final long expiryMillis;
  private final LinkedHashMap<Hash, Orphan> byHash = new LinkedHashMap<>();
  private final Map<Hash, List<Hash>> byParent = new HashMap<>();
  private long bytes;

  OrphanPool(int maxCount, long maxBytes, long expiryMillis) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.expiryMillis = expiryMillis;
  }

  int size() {
    return byHash.size();
  }

  long bytes() {
    return bytes;
  }

  boolean contains(Hash hash) {
    return byHash.containsKey(hash);
  }

  /** Adds, evicting the oldest until within bounds; false if the block alone exceeds them. */
  boolean add(Orphan o) {
    if (o.bytes() > maxBytes || maxCount <= 0) {
      return false;
    }
    while (byHash.size() >= maxCount || bytes + o.bytes() > maxBytes) {
      remove(byHash.keySet().iterator().next());
    }
    byHash.put(o.hash(), o);
    byParent.computeIfAbsent(o.block().header().parent(), k -> new ArrayList<>()).add(o.hash());
    bytes += o.bytes();
    return true;
  }

  /** Removes and returns the orphans whose parent is {@code parent}. */
  List<Orphan> takeChildren(Hash parent) {
    List<Hash> hashes = byParent.remove(parent);
    if (hashes == null) {
      return List.of();
    }
    List<Orphan> out = new ArrayList<>(hashes.size());
    for (Hash h : hashes) {
      Orphan o = byHash.remove(h);
      if (o != null) {
        bytes -= o.bytes();
        out.add(o);
      }
    }
    return out;
  }

  /** The first ancestor of {@code hash} that is not in the pool (what to fetch). */
  Hash missingAncestor(Hash hash) {
    Hash h = hash;
    for (int i = 0; i <= byHash.size(); i++) {
      Orphan o = byHash.get(h);
      if (o == null) {
        return h;
      }
      h = o.block().header().parent();
    }
    return h;
  }

  /** Drops orphans that waited longer than the expiry; returns how many. */
  int expire(long now) {
    int n = 0;
    for (Iterator<Orphan> it = List.copyOf(byHash.values()).iterator(); it.hasNext(); ) {
      Orphan o = it.next();
      if (now - o.arrival() >= expiryMillis) {
        remove(o.hash());
        n++;
      }
    }
    return n;
  }

  private void remove(Hash hash) {
    Orphan o = byHash.remove(hash);
    if (o == null) {
      return;
    }
    bytes -= o.bytes();
    Hash parent = o.block().header().parent();
    List<Hash> siblings = byParent.get(parent);
    if (siblings != null) {
      siblings.remove(hash);
      if (siblings.isEmpty()) {
        byParent.remove(parent);
      }
    }
  }
}
