package dev.cairn.p2p.kad;

import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The owner of the routing table: an {@link Owner} on one named virtual thread ({@code
 * kad-table-<our id>}) steps a {@link RoutingTable} (the state, tested on its own with explicit
 * times) through {@link #handle}, fed by a mailbox of {@link Command} records. After each change it
 * publishes an immutable {@link #members()} snapshot, which lookups and the FIND_NODE handler read
 * without queueing.
 *
 * <p>Mailbox: {@value #MAILBOX} commands, {@link FullPolicy#DROP_AND_COUNT}: at the limit a command
 * is dropped and counted ({@link #droppedCommands()}): every command is a hint the network repeats
 * (the next identify, answer or failure brings it again), and senders are stream handlers and
 * lookups that must never block on the table.
 *
 * <p>Liveness checks run on their own virtual threads through the injected {@code check} (a
 * FIND_NODE round trip with a timeout in production); their results come back as commands. The
 * owner never waits on the network.
 */
final class KadTable implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  static final int MAILBOX = 4096;

  /** What the owner is asked to do. */
  sealed interface Command permits Observe, Failed, Evict, LivenessResult {}

  /** {@code peer} serves the protocol: add it or mark it seen. */
  record Observe(PeerId peer) implements Command {}

  /** A request to {@code peer} failed; {@code violation}: it broke the protocol. */
  record Failed(PeerId peer, boolean violation) implements Command {}

  /** Drop {@code peer} (it no longer serves the protocol). */
  record Evict(PeerId peer) implements Command {}

  record LivenessResult(PeerId peer, boolean alive) implements Command {}

  /** The table's handler never blocks: a close that waits longer means a bug; say so and go on. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final RoutingTable table;
  private final Clock clock;
  private final Predicate<PeerId> check;
  private final String label;
  private final Owner<Command> owner;
  private volatile List<Member> members = List.of();

  KadTable(RoutingTable table, Clock clock, Predicate<PeerId> check, String label) {
    this.table = table;
    this.clock = clock;
    this.check = check;
    this.label = label;
    this.owner =
        Owner.<Command>builder("kad-table-" + label, MAILBOX, this::handle)
            .fullPolicy(FullPolicy.DROP_AND_COUNT)
            .joinTimeout(CLOSE_WAIT)
            .build();
  }

  void start() {
    owner.start();
  }

  /** Posts {@code c}; drops it (and counts) when the mailbox is full. Any thread. */
  void post(Command c) {
    owner.send(c);
  }

  /** The live entries at the last change. Any thread, never waits. */
  List<Member> members() {
    return members;
  }

  long droppedCommands() {
    return owner.dropped();
  }

  KadKey self() {
    return table.self();
  }

  /** True while the owner thread runs (false before start, once closed, or after an Error). */
  boolean isRunning() {
    return owner.isRunning();
  }

  /** The Error that stopped the owner thread, if one did. */
  java.util.Optional<Throwable> failure() {
    return owner.failure();
  }

  /** Steps the table by one command. Only the owner thread (or a test that owns the table). */
  void handle(Command c) {
    if (owner.isRunning()) {
      owner.checkOwner();
    }
    long now = clock.millis();
    switch (c) {
      case Observe(PeerId peer) -> {
        PeerId suspect = table.observe(peer, now);
        if (suspect != null) {
          KadThreads.start("liveness", suspect, () -> checkLiveness(suspect));
        }
      }
      case Failed(PeerId peer, boolean violation) -> {
        if (table.failed(peer, violation)) {
          LOG.debug("kad {}: evicted {} after a failed request", label, peer.shortString());
        }
      }
      case Evict(PeerId peer) -> table.evict(peer);
      case LivenessResult(PeerId peer, boolean alive) -> table.livenessResult(peer, alive, now);
    }
    members = table.members();
  }

  /**
   * Runs one liveness check off the owner and posts its result. A check that throws (a bug, not the
   * peer's answer) posts nothing: the table gives up on it after the liveness interval.
   */
  private void checkLiveness(PeerId suspect) {
    boolean alive;
    try {
      alive = check.test(suspect);
    } catch (RuntimeException e) {
      LOG.debug("kad {}: liveness check of {} failed", label, suspect.shortString(), e);
      return;
    }
    post(new LivenessResult(suspect, alive));
  }

  /** Stops the owner; queued commands are dropped (none carries a reply). */
  @Override
  public void close() {
    owner.close();
  }
}
