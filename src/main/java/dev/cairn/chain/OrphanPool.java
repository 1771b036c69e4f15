package dev.cairn.chain;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.math.BigInteger;
import java.util.ArrayDeque;
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
 *
 * <p>Every orphan's hash meets the target its own bits claim (checked before it is added), so the
 * work of a chain of orphans is real work someone spent, even before the difficulty rule can be
 * checked against the parent: {@link #bestDescendantWork} lets an unsolicited ancestor that arrives
 * last be stored when the orphans waiting on it make its branch heavy enough.
 */
final class OrphanPool {
  /**
   * A waiting block; {@code requested} as in {@link ChainCommand.ImportBlock}, kept for when it
   * connects.
   */
  record Orphan(
      Block block, Hash hash, String source, boolean requested, long arrival, int bytes) {}

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

  /**
   * Holds {@code block} (whose parent is unknown) after a cheap anti-spam check, the header's own
   * proof of work within {@code powLimit}: {@code ORPHANED} naming the ancestor to fetch, {@code
   * INVALID} or {@code IGNORED} (larger than the pool).
   */
  ImportResult hold(
      Block block, Hash hash, String source, boolean requested, long now, BigInteger powLimit) {
    BlockHeader h = block.header();
    if (!CompactTarget.isCanonical(h.bits())
        || CompactTarget.toTarget(h.bits()).compareTo(powLimit) > 0) {
      return new ImportResult(
          Outcome.INVALID, hash, RejectReason.BAD_TARGET_ENCODING, "orphan with bad bits", null);
    }
    if (!ProofOfWork.meetsTarget(hash, h.bits())) {
      return new ImportResult(
          Outcome.INVALID, hash, RejectReason.INSUFFICIENT_PROOF_OF_WORK, "orphan", null);
    }
    if (!add(new Orphan(block, hash, source, requested, now, block.encodedSize()))) {
      return ImportResult.of(Outcome.IGNORED, hash, "larger than the orphan pool");
    }
    Hash wanted = missingAncestor(hash);
    return new ImportResult(
        Outcome.ORPHANED, hash, null, "parent unknown, fetch " + wanted, wanted);
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

  /**
   * The most work (sum of the bits' work) of a chain of orphans descending from {@code hash}, zero
   * if none waits on it. Visits each descendant once.
   */
  BigInteger bestDescendantWork(Hash hash) {
    List<Hash> order = new ArrayList<>();
    ArrayDeque<Hash> todo = new ArrayDeque<>();
    todo.add(hash);
    while (!todo.isEmpty()) {
      Hash h = todo.poll();
      order.add(h);
      todo.addAll(byParent.getOrDefault(h, List.of()));
    }
    Map<Hash, BigInteger> best = new HashMap<>();
    // Children come after their parents in breadth-first order: walk backwards.
    for (int i = order.size() - 1; i >= 0; i--) {
      Hash h = order.get(i);
      BigInteger below = BigInteger.ZERO;
      for (Hash c : byParent.getOrDefault(h, List.of())) {
        below = below.max(best.getOrDefault(c, BigInteger.ZERO));
      }
      Orphan o = byHash.get(h);
      best.put(h, o == null ? below : below.add(CompactTarget.work(o.block().header().bits())));
    }
    return best.get(hash);
  }

  /** Removes every orphan descending from {@code hash}; returns how many. */
  int removeDescendants(Hash hash) {
    int n = 0;
    ArrayDeque<Hash> todo = new ArrayDeque<>();
    todo.add(hash);
    while (!todo.isEmpty()) {
      for (Orphan o : takeChildren(todo.poll())) {
        todo.add(o.hash());
        n++;
      }
    }
    return n;
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
