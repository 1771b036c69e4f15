package dev.cairn.node.metrics;

import dev.cairn.chain.ImportResult;
import dev.cairn.p2p.gossip.Validator;
import dev.cairn.p2p.reqresp.RpcCode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's named metrics over {@link Metrics}: one method per event, so callers (gossip, sync,
 * request handlers) never spell metric names and label values stay in small fixed sets. Every
 * method may be called from any thread.
 *
 * <p>Counters: {@code cairn_gossip_messages_total{topic,result}}, {@code
 * cairn_requests_served_total{protocol,code}}, {@code cairn_blocks_imported_total{source}}, {@code
 * cairn_peer_bans_total}. Gauges whose value another part owns ({@link #syncRate}, {@link
 * #bannedPeers}) read a supplier it installs, 0 until then.
 *
 * <p>Histograms, in seconds, where the distribution matters more than a count: {@code
 * cairn_block_import_seconds{source}}, {@code cairn_gossip_validation_seconds{topic}}, {@code
 * cairn_request_duration_seconds{protocol}}, {@code cairn_block_arrival_delay_seconds}, {@code
 * cairn_sync_batch_seconds{phase}}. Their series for the known label values exist from the start
 * (at zero), so a dashboard's quantiles and rates have a series to read before the first event.
 */
public final class NodeMetrics {
  static final String BLOCK_IMPORT = "cairn_block_import_seconds";
  static final String GOSSIP_VALIDATION = "cairn_gossip_validation_seconds";
  static final String REQUEST_DURATION = "cairn_request_duration_seconds";
  static final String BLOCK_ARRIVAL_DELAY = "cairn_block_arrival_delay_seconds";
  static final String SYNC_BATCH = "cairn_sync_batch_seconds";

  /** Buckets for work on this node: a millisecond to half a minute. */
  static final double[] LOCAL_SECONDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  /** Buckets for a round trip to a peer or a batch of blocks: 5 ms to two minutes. */
  static final double[] NETWORK_SECONDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };

  /** Buckets for a block's age on arrival: a tenth of a second to ten minutes. */
  static final double[] ARRIVAL_SECONDS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600};

  /** The request/response protocols of sync, as they appear in the {@code protocol} label. */
  public static final List<String> PROTOCOLS =
      List.of("status", "headers_by_locator", "blocks_by_hash", "blocks_by_range", "block_txs");

  private static final Family GOSSIP_MESSAGES =
      new Family(
          "cairn_gossip_messages_total",
          "Gossip messages validated, by topic and result",
          "topic",
          "result");
  private static final Family REQUESTS_SERVED =
      new Family(
          "cairn_requests_served_total",
          "Requests answered, by protocol and result code",
          "protocol",
          "code");
  private static final Family BLOCKS_IMPORTED =
      new Family(
          "cairn_blocks_imported_total", "Blocks imported, by where they came from", "source");
  private static final Family PEER_BANS =
      new Family("cairn_peer_bans_total", "Peers banned since start");

  private final Metrics metrics;
  private final LongSupplier nanos;
  private volatile DoubleSupplier syncRate = () -> 0;
  private volatile DoubleSupplier bannedPeers = () -> 0;

  public NodeMetrics(Metrics metrics) {
    this(metrics, System::nanoTime);
  }

  /** As {@link #NodeMetrics(Metrics)}, timing with {@code nanos} (a test's clock). */
  public NodeMetrics(Metrics metrics, LongSupplier nanos) {
    this.metrics = metrics;
    this.nanos = nanos;
    for (String source : new String[] {"gossip", "sync"}) {
      importTime(source, Double.NaN);
    }
    for (String topic : new String[] {"blocks", "txs"}) {
      validationTime(topic, Double.NaN);
    }
    for (String protocol : PROTOCOLS) {
      requestTime(protocol, Double.NaN);
    }
    for (String phase : new String[] {"download", "import"}) {
      syncBatchTime(phase, Double.NaN);
    }
    arrivalDelay(Double.NaN);
    // the counters' series of known label values, at zero (the first event adds to them)
    for (String source : new String[] {"miner", "gossip", "sync"}) {
      BLOCKS_IMPORTED.add(metrics, 0, source);
    }
    for (String topic : new String[] {"blocks", "txs"}) {
      for (String result : new String[] {"accept", "ignore", "reject"}) {
        GOSSIP_MESSAGES.add(metrics, 0, topic, result);
      }
    }
    for (String protocol : PROTOCOLS) {
      for (RpcCode code : RpcCode.values()) {
        REQUESTS_SERVED.add(metrics, 0, protocol, code.name().toLowerCase(Locale.ROOT));
      }
    }
    PEER_BANS.add(metrics, 0);
    // counted by the node's head-change listener (Node), under the same names and help
    metrics.add("cairn_head_changes_total", "Times the head moved", 0);
    metrics.add("cairn_reorgs_total", "Head changes that disconnected blocks", 0);
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
    GOSSIP_MESSAGES.add(metrics, 1, topic, result.toLowerCase(Locale.ROOT));
  }

  /**
   * A request/response {@code protocol} (e.g. {@code status}, {@code blocks_by_range}) was answered
   * with {@code code} (e.g. {@code success}, {@code rate_limited}).
   */
  public void requestServed(String protocol, String code) {
    REQUESTS_SERVED.add(metrics, 1, protocol, code.toLowerCase(Locale.ROOT));
  }

  /** A block from {@code source} ({@code gossip}, {@code sync}, {@code api}) was imported. */
  public void blockImported(String source) {
    BLOCKS_IMPORTED.add(metrics, 1, source);
  }

  /** A peer was banned. */
  public void peerBanned() {
    PEER_BANS.add(metrics, 1);
  }

  /** Installs the source of {@code cairn_sync_blocks_per_second}. */
  public void syncRate(DoubleSupplier blocksPerSecond) {
    this.syncRate = blocksPerSecond;
  }

  /** Installs the source of {@code cairn_banned_peers}. */
  public void bannedPeers(DoubleSupplier count) {
    this.bannedPeers = count;
  }

  /**
   * Imports a block through {@code importing} (a call to the chain owner) and records, when the
   * block was stored, the time from the call to the owner's answer in {@code
   * cairn_block_import_seconds{source}} ({@code gossip} or {@code sync}): the owner's queue and the
   * import itself, what a block waits before it counts.
   */
  public CompletableFuture<ImportResult> timeImport(
      String source, Supplier<CompletableFuture<ImportResult>> importing) {
    long start = nanos.getAsLong();
    CompletableFuture<ImportResult> f = importing.get();
    f.thenAccept(
        r -> {
          if (r.imported()) {
            importTime(source, seconds(start));
          }
        });
    return f;
  }

  /** A block from {@code source} was stored, answered with a batch handed over at {@code start}. */
  public void importTook(String source, long startNanos) {
    importTime(source, seconds(startNanos));
  }

  /**
   * {@code validator} for gossip {@code topic} ({@code blocks} or {@code txs}), recording the time
   * from the message's hand-over to its verdict in {@code cairn_gossip_validation_seconds{topic}}.
   */
  public Validator timedValidator(String topic, Validator validator) {
    return m -> {
      long start = nanos.getAsLong();
      var f = validator.validate(m);
      f.whenComplete((r, e) -> validationTime(topic, seconds(start)));
      return f;
    };
  }

  /**
   * A block whose header says {@code timestampMillis} arrived at {@code arrivalMillis} (both since
   * the epoch): the delay goes to {@code cairn_block_arrival_delay_seconds}. A header from the
   * future (clock skew, allowed within the consensus bound) counts as no delay.
   */
  public void blockArrived(long timestampMillis, long arrivalMillis) {
    arrivalDelay(Math.max(0, arrivalMillis - timestampMillis) / 1000.0);
  }

  /**
   * A request of ours on {@code protocol} (one of {@link #PROTOCOLS}) took {@code nanos} from
   * sending to its whole answer, or to its failure: {@code
   * cairn_request_duration_seconds{protocol}}.
   */
  public void requestTook(String protocol, long nanos) {
    requestTime(protocol, nanos / 1e9);
  }

  /**
   * A sync batch's {@code phase} ({@code download}: fetching its blocks from a peer; {@code
   * import}: importing them in order through the chain) started at {@code startNanos} ended now:
   * {@code cairn_sync_batch_seconds{phase}}.
   */
  public void syncBatchDone(String phase, long startNanos) {
    syncBatchTime(phase, seconds(startNanos));
  }

  /** The clock of the histograms, in nanoseconds (for {@link #syncBatchDone}). */
  public long nanos() {
    return nanos.getAsLong();
  }

  private double seconds(long startNanos) {
    return (nanos.getAsLong() - startNanos) / 1e9;
  }

  // NaN creates the series without observing (the constructor's zeroes)
  private void importTime(String source, double seconds) {
    metrics.observe(
        BLOCK_IMPORT,
        "Time from handing a block to the chain owner to its answer, for blocks stored, by source",
        LOCAL_SECONDS,
        seconds,
        "source",
        source);
  }

  private void validationTime(String topic, double seconds) {
    metrics.observe(
        GOSSIP_VALIDATION,
        "Time to validate a gossip message, from its hand-over to its verdict, by topic",
        LOCAL_SECONDS,
        seconds,
        "topic",
        topic);
  }

  private void requestTime(String protocol, double seconds) {
    metrics.observe(
        REQUEST_DURATION,
        "Time from sending a sync request to a peer to its whole answer (or failure), by protocol",
        NETWORK_SECONDS,
        seconds,
        "protocol",
        protocol);
  }

  private void syncBatchTime(String phase, double seconds) {
    metrics.observe(
        SYNC_BATCH,
        "Time to download a sync batch from a peer, or to import it through the chain, by phase",
        NETWORK_SECONDS,
        seconds,
        "phase",
        phase);
  }

  private void arrivalDelay(double seconds) {
    metrics.observe(
        BLOCK_ARRIVAL_DELAY,
        "Time from a gossiped block's header timestamp to its arrival here, for blocks stored",
        ARRIVAL_SECONDS,
        seconds);
  }

  /**
   * A counter's name, help and label names, so that the constructor (which creates every known
   * series at zero) and the event method name it once.
   */
  private record Family(String name, String help, String... labels) {
    void add(Metrics metrics, long n, String... values) {
      String[] pairs = new String[2 * labels.length];
      for (int i = 0; i < labels.length; i++) {
        pairs[2 * i] = labels[i];
        pairs[2 * i + 1] = values[i];
      }
      metrics.add(name, help, n, pairs);
    }
  }
}
