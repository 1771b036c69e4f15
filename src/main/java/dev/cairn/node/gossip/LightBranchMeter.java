package dev.cairn.node.gossip;

import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import dev.cairn.owner.OwnerException;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * <p>Threading: the levels are a plain state ({@link Levels}, a {@code HashMap} stepped on one
 * thread) inside an {@link Owner}, {@code light-branch-<peer>}; the gossip validation threads ask
 * it with {@link #record}. Mailbox: {@value #MAILBOX} asks, {@link FullPolicy#BUSY}: a validation
 * thread never waits for room, and a block whose count was not taken (busy, closed, or no answer
 * within {@link #ASK_TIMEOUT}) costs its sender nothing (it is still ignored). Bound: at most
 * {@link #MAX_PEERS} peers are tracked; at the limit the drained ones are dropped, then an
 * arbitrary one (its count starts again).
 */
final class LightBranchMeter implements AutoCloseable {
  /** Light blocks a peer may send without consequence (the bucket's size). */
  static final double ALLOWANCE = 10;

  /** One light block drains from the bucket per this many milliseconds. */
  static final long DRAIN_MILLIS = 30_000;

  /** Peers tracked at most. */
  static final int MAX_PEERS = 4096;

  /** Asks waiting for the meter at most. */
  static final int MAILBOX = 1024;

  /** How long a validation thread waits for the meter's answer. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);

  /** What the owner is asked. */
  sealed interface Command permits Record, Level {}

  /** Count one light block from {@code peer}; the reply: it is above its allowance now. */
  record Record(PeerId peer, long nowMillis, CompletableFuture<Boolean> reply) implements Command {}

  /** The bucket's level for {@code peer} now. */
  record Level(PeerId peer, long nowMillis, CompletableFuture<Double> reply) implements Command {}

  private final Levels levels = new Levels();
  private final Owner<Command> owner;

  LightBranchMeter(String label) {
    this.owner =
        Owner.<Command>builder("light-branch-" + label, MAILBOX, levels::handle)
            .fullPolicy(FullPolicy.BUSY)
            .failWith(
                (c, t) -> {
                  switch (c) {
                    case Record r -> r.reply().completeExceptionally(t);
                    case Level l -> l.reply().completeExceptionally(t);
                  }
                })
            .build()
            .start();
  }

  /**
   * Counts one light block from {@code peer} at {@code nowMillis} (a monotonic clock); true if the
   * peer is now above its allowance and should be penalised for this block. Any thread; waits for
   * the owner at most {@link #ASK_TIMEOUT}.
   */
  boolean record(PeerId peer, long nowMillis) {
    try {
      return owner.<Boolean>ask(f -> new Record(peer, nowMillis, f), ASK_TIMEOUT);
    } catch (OwnerException e) {
      return false; // not counted: no penalty for this block
    }
  }

  /** The bucket's level for {@code peer} now (for tests and logs). */
  double level(PeerId peer, long nowMillis) {
    return owner.<Double>ask(f -> new Level(peer, nowMillis, f), ASK_TIMEOUT);
  }

  /** Stops the owner. */
  @Override
  public void close() {
    owner.close();
  }

  /** The state: each peer's bucket. Stepped by {@link #handle} on one thread. */
  static final class Levels {
    private record Bucket(double blocks, long at) {
      double now(long t) {
        return Math.max(0, blocks - (double) Math.max(0, t - at) / DRAIN_MILLIS);
      }
    }

    private final Map<PeerId, Bucket> levels = new HashMap<>();

    void handle(Command c) {
      switch (c) {
        case Record r -> r.reply().complete(record(r.peer(), r.nowMillis()));
        case Level l -> l.reply().complete(level(l.peer(), l.nowMillis()));
      }
    }

    boolean record(PeerId peer, long nowMillis) {
      if (levels.size() >= MAX_PEERS && !levels.containsKey(peer)) {
        trim(nowMillis);
      }
      Bucket old = levels.get(peer);
      Bucket l = new Bucket((old == null ? 0 : old.now(nowMillis)) + 1, nowMillis);
      levels.put(peer, l);
      return l.blocks() > ALLOWANCE;
    }

    double level(PeerId peer, long nowMillis) {
      Bucket l = levels.get(peer);
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
}
