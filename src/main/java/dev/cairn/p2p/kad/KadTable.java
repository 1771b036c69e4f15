package dev.cairn.p2p.kad;

import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The owner of the routing table: one named virtual thread ({@code kad-table-<our id>}) steps a
 * {@link RoutingTable}, fed by a mailbox of {@link Command} records. After each change it publishes
 * an immutable {@link #members()} snapshot, which lookups and the FIND_NODE handler read without
 * queueing.
 *
 * <p>Mailbox: an {@link ArrayBlockingQueue} of {@value #MAILBOX} commands. At the limit a command
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
  sealed interface Command permits Observe, Failed, Evict, LivenessResult, Stop {}

  /** {@code peer} serves the protocol: add it or mark it seen. */
  record Observe(PeerId peer) implements Command {}

  /** A request to {@code peer} failed; {@code violation}: it broke the protocol. */
  record Failed(PeerId peer, boolean violation) implements Command {}

  /** Drop {@code peer} (it no longer serves the protocol). */
  record Evict(PeerId peer) implements Command {}

  record LivenessResult(PeerId peer, boolean alive) implements Command {}

  record Stop() implements Command {}

  private final RoutingTable table;
  private final Clock clock;
  private final Predicate<PeerId> check;
  private final BlockingQueue<Command> mailbox = new ArrayBlockingQueue<>(MAILBOX);
  private final AtomicLong dropped = new AtomicLong();
  private final String label;
  private volatile List<Member> members = List.of();
  private volatile Thread owner;
  private volatile Throwable failure;

  KadTable(RoutingTable table, Clock clock, Predicate<PeerId> check, String label) {
    this.table = table;
    this.clock = clock;
    this.check = check;
    this.label = label;
  }

  void start() {
    owner = Thread.ofVirtual().name("kad-table-" + label).start(this::run);
  }

  /** Posts {@code c}; drops it (and counts) when the mailbox is full. Any thread. */
  void post(Command c) {
    if (!mailbox.offer(c)) {
      dropped.incrementAndGet();
    }
  }

  /** The live entries at the last change. Any thread, never waits. */
  List<Member> members() {
    return members;
  }

  long droppedCommands() {
    return dropped.get();
  }

  KadKey self() {
    return table.self();
  }

  private void run() {
    try {
      while (true) {
        Command c;
        try {
          c = mailbox.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (c instanceof Stop) {
          return;
        }
        try {
          handle(c);
        } catch (RuntimeException e) {
          LOG.error("kad table {}: {} failed", label, c, e);
        }
      }
    } catch (Error e) {
      // An Error leaves the table's state unknown: stop, and let the DHT see it (isRunning).
      failure = e;
      LOG.error("kad table {} stops: {}", label, e.toString(), e);
    }
  }

  /** True while the owner thread runs (false before start, once closed, or after an Error). */
  boolean isRunning() {
    Thread t = owner;
    return t != null && t.isAlive();
  }

  /** The Error that stopped the owner thread, if one did. */
  java.util.Optional<Throwable> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  /** Steps the table by one command. Only the owner thread (or a test that owns the table). */
  void handle(Command c) {
    checkOwnerThread();
    long now = clock.millis();
    switch (c) {
      case Observe(PeerId peer) -> {
        PeerId suspect = table.observe(peer, now);
        if (suspect != null) {
          Thread.ofVirtual()
              .name("kad-liveness-" + suspect.shortString())
              .start(() -> post(new LivenessResult(suspect, check.test(suspect))));
        }
      }
      case Failed(PeerId peer, boolean violation) -> {
        if (table.failed(peer, violation)) {
          LOG.debug("kad {}: evicted {} after a failed request", label, peer.shortString());
        }
      }
      case Evict(PeerId peer) -> table.evict(peer);
      case LivenessResult(PeerId peer, boolean alive) -> table.livenessResult(peer, alive, now);
      case Stop() -> {}
    }
    members = table.members();
  }

  private void checkOwnerThread() {
    if (owner != null && Thread.currentThread() != owner) {
      throw new IllegalStateException("kad table stepped off its owner thread");
    }
  }

  @Override
  public void close() {
    mailbox.clear();
    mailbox.offer(new Stop());
  }
}
