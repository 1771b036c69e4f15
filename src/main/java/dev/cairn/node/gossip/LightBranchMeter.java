package dev.cairn.node.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per peer, how many unsolicited light-branch blocks ({@code ImportResult.Outcome.LIGHT_BRANCH}) it
 * sent lately: a leaky bucket that fills by one block per light block and drains by one block every
 * {@link #DRAIN_MILLIS}. Only what is above {@link #ALLOWANCE} counts against the peer.
 *
 * <p>Why blocks and not bytes: what a light block costs us is a decode, a Merkle root and a header
 * check against a stored parent (its body is never verified nor stored), bounded per block by the
 * block size limit; the count is what an attacker with near-free blocks multiplies.
 *
 * <p>Why these numbers: an honest peer relays a block only when it extends a chain with at least
 * its own head's work, so it sends us a light one only when it lost a race we already saw decided:
 * a competing block of equal height arriving after we moved on. Such races need real proof of work
 * each and come one or two at a time; {@link #ALLOWANCE} absorbs a burst of ten, and the drain
 * forgives two a minute for good. A peer replaying cheap side blocks (mined at the proof-of-work
 * limit off an old block) fills the bucket within seconds.
 *
 * <p>Thread-safe (the chain owner's reply threads call it): each peer's level changes in one atomic
 * {@link ConcurrentHashMap#compute}. Bound: at most {@link #MAX_PEERS} peers are tracked; at the
 * limit the drained ones are dropped, then an arbitrary one (its count starts again).
 */
final class LightBranchMeter {
  /** Light blocks a peer may send without consequence (the bucket's size). */
  static final double ALLOWANCE = 10;

  /** One light block drains from the bucket per this many milliseconds. */
  static final long DRAIN_MILLIS = 30_000;

  /** Peers tracked at most. */
  static final int MAX_PEERS = 4096;

  private record Level(double blocks, long at) {
    double now(long t) {
      return Math.max(0, blocks - (double) Math.max(0, t - at) / DRAIN_MILLIS);
    }
  }

  private final Map<PeerId, Level> levels = new ConcurrentHashMap<>();

  /**
   * Counts one light block from {@code peer} at {@code nowMillis} (a monotonic clock); true if the
   * peer is now above its allowance and should be penalised for this block.
   */
  boolean record(PeerId peer, long nowMillis) {
    if (levels.size() >= MAX_PEERS && !levels.containsKey(peer)) {
      trim(nowMillis);
    }
    Level l =
        levels.compute(
            peer, (p, old) -> new Level((old == null ? 0 : old.now(nowMillis)) + 1, nowMillis));
    return l.blocks() > ALLOWANCE;
  }

  /** The bucket's level for {@code peer} now (for tests and logs). */
  double level(PeerId peer, long nowMillis) {
    Level l = levels.get(peer);
    return l == null ? 0 : l.now(nowMillis);
  }

  private void trim(long nowMillis) {
    levels.values().removeIf(l -> l.now(nowMillis) == 0);
    Iterator<PeerId> it = levels.keySet().iterator();
    while (levels.size() >= MAX_PEERS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
