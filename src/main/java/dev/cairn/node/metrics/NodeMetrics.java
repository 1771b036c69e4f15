package dev.cairn.node.metrics;

import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The node's named metrics over {@link Metrics}: one method per event, so callers (gossip, sync,
 * request handlers) never spell metric names and label values stay in small fixed sets. Every
 * method may be called from any thread.
 *
 * <p>Counters: {@code cairn_gossip_messages_total{topic,result}}, {@code
 * cairn_requests_served_total{protocol,code}}, {@code cairn_blocks_imported_total{source}}, {@code
 * cairn_peer_bans_total}. Gauges whose value another part owns ({@link #syncRate}, {@link
 * #bannedPeers}) read a supplier it installs, 0 until then.
 */
public final class NodeMetrics {
  private final Metrics metrics;
  private volatile DoubleSupplier syncRate = () -> 0;
  private volatile DoubleSupplier bannedPeers = () -> 0;

  public NodeMetrics(Metrics metrics) {
    this.metrics = metrics;
    metrics.gauge(
        "cairn_sync_blocks_per_second",
        "Blocks imported per second by sync, recent average",
        () -> syncRate.getAsDouble());
    metrics.gauge("cairn_banned_peers", "Peers banned now", () -> bannedPeers.getAsDouble());
  }

  /** The underlying registry (for gauges registered by the node's wiring). */
  public Metrics registry() {
    return metrics;
  }

  /**
   * A gossip message on {@code topic} ({@code blocks} or {@code txs}) got {@code result} ({@code
   * accept}, {@code ignore} or {@code reject}).
   */
  public void gossipResult(String topic, String result) {
    metrics.inc(
        "cairn_gossip_messages_total",
        "Gossip messages validated, by topic and result",
        "topic",
        topic,
        "result",
        result.toLowerCase(Locale.ROOT));
  }

  /**
   * A request/response {@code protocol} (e.g. {@code status}, {@code blocks_by_range}) was answered
   * with {@code code} (e.g. {@code success}, {@code rate_limited}).
   */
  public void requestServed(String protocol, String code) {
    metrics.inc(
        "cairn_requests_served_total",
        "Requests answered, by protocol and result code",
        "protocol",
        protocol,
        "code",
        code.toLowerCase(Locale.ROOT));
  }

  /** A block from {@code source} ({@code gossip}, {@code sync}, {@code api}) was imported. */
  public void blockImported(String source) {
    metrics.inc(
        "cairn_blocks_imported_total",
        "Blocks imported, by where they came from",
        "source",
        source);
  }

  /** A peer was banned. */
  public void peerBanned() {
    metrics.inc("cairn_peer_bans_total", "Peers banned since start");
  }

  /** Installs the source of {@code cairn_sync_blocks_per_second}. */
  public void syncRate(DoubleSupplier blocksPerSecond) {
    this.syncRate = blocksPerSecond;
  }

  /** Installs the source of {@code cairn_banned_peers}. */
  public void bannedPeers(DoubleSupplier count) {
    this.bannedPeers = count;
  }
}
