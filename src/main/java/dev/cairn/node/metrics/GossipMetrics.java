package dev.cairn.node.metrics;

import dev.cairn.p2p.gossip.GossipStats;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The gossip router's own counters ({@link GossipStats}) at {@code /metrics}, read at scrape time
 * (docs/API.md lists them):
 *
 * <ul>
 *   <li>{@code cairn_gossip_dropped_total{queue}} and {@code cairn_gossip_dropped_bytes_total
 *       {queue}}: what the router dropped at each of its bounds, in items and in bytes;
 *   <li>{@code cairn_gossip_queued_bytes{queue}}: the bytes each bounded queue holds now;
 *   <li>{@code cairn_gossip_slow_peers_total}: peers dropped because their outbound queue filled;
 *   <li>{@code cairn_gossip_idontwant_sent_total}, {@code _received_total}, {@code
 *       _suppressed_total}: gossipsub v1.2 IDONTWANT traffic.
 * </ul>
 *
 * <p>The {@code queue} label: {@code outbound} (a peer's writer queue: RPCs), {@code held} (what
 * waits for a peer whose stream from us opens: messages or control batches), {@code validation}
 * (messages waiting for their verdict), {@code mailbox} (peers' RPCs waiting for the router).
 */
public final class GossipMetrics {
  static final String DROPPED = "cairn_gossip_dropped_total";
  static final String DROPPED_BYTES = "cairn_gossip_dropped_bytes_total";
  static final String QUEUED_BYTES = "cairn_gossip_queued_bytes";

  private GossipMetrics() {}

  /** One bound: its label value and where its figures are in a {@link GossipStats}. */
  private record Queue(
      String label,
      ToLongFunction<GossipStats> dropped,
      ToLongFunction<GossipStats> droppedBytes,
      ToLongFunction<GossipStats> queuedBytes) {}

  private static final Queue[] QUEUES = {
    new Queue(
        "outbound",
        GossipStats::queueDropped,
        GossipStats::queueDroppedBytes,
        GossipStats::queuedBytes),
    new Queue(
        "held", GossipStats::heldDropped, GossipStats::heldDroppedBytes, GossipStats::heldBytes),
    new Queue(
        "validation",
        GossipStats::validationsDropped,
        GossipStats::validationsDroppedBytes,
        GossipStats::pendingValidationBytes),
    new Queue(
        "mailbox",
        GossipStats::inboundDropped,
        GossipStats::inboundDroppedBytes,
        GossipStats::mailboxBytes),
  };

  /** Registers the router's metrics in {@code metrics}, read from {@code stats} when scraped. */
  public static void register(Metrics metrics, Supplier<GossipStats> stats) {
    for (Queue q : QUEUES) {
      metrics.countedBy(
          DROPPED,
          "Gossip RPCs or messages dropped at a bound of the router, by queue",
          () -> q.dropped().applyAsLong(stats.get()),
          "queue",
          q.label());
      metrics.countedBy(
          DROPPED_BYTES,
          "Bytes of the gossip RPCs or messages dropped at a bound of the router, by queue",
          () -> q.droppedBytes().applyAsLong(stats.get()),
          "queue",
          q.label());
      metrics.gauge(
          QUEUED_BYTES,
          "Bytes waiting now in a bounded queue of the gossip router, by queue",
          () -> q.queuedBytes().applyAsLong(stats.get()),
          "queue",
          q.label());
    }
    metrics.countedBy(
        "cairn_gossip_slow_peers_total",
        "Peers dropped because their gossip outbound queue was full",
        () -> stats.get().slowPeers());
    metrics.countedBy(
        "cairn_gossip_idontwant_sent_total",
        "Message ids we announced in gossipsub IDONTWANT",
        () -> stats.get().idontwantSent());
    metrics.countedBy(
        "cairn_gossip_idontwant_received_total",
        "Message ids peers announced to us in gossipsub IDONTWANT and we kept",
        () -> stats.get().idontwantReceived());
    metrics.countedBy(
        "cairn_gossip_idontwant_suppressed_total",
        "Gossip messages not sent to a peer because it had sent IDONTWANT for them",
        () -> stats.get().idontwantSuppressed());
  }
}
