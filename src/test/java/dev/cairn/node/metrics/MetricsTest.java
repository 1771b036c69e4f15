package dev.cairn.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ImportResult;
import dev.cairn.chain.model.Hash;
import dev.cairn.p2p.gossip.ValidationResult;
import dev.cairn.p2p.gossip.Validator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry on the Prometheus client, read back as the text /metrics serves. */
@Timeout(30)
class MetricsTest {
  final Metrics metrics = new Metrics();

  @Test
  void countersAndGaugesKeepTheirNamesInTheTextFormat() {
    metrics.inc("cairn_blocks_imported_total", "Blocks imported", "source", "gossip");
    metrics.add("cairn_blocks_imported_total", "Blocks imported", 2, "source", "gossip");
    metrics.inc("cairn_peer_bans_total", "Peers banned");
    metrics.gauge("cairn_peers", "Peers", () -> 3, "direction", "inbound");
    metrics.gauge("cairn_peers", "Peers", () -> 4, "direction", "outbound");
    metrics.gauge("cairn_head_height", "Head", () -> 7);

    String text = metrics.render();

    assertThat(text)
        .contains("# TYPE cairn_blocks_imported_total counter\n")
        .contains("cairn_blocks_imported_total{source=\"gossip\"} 3.0\n")
        .contains("cairn_peer_bans_total 1.0\n")
        .contains("# TYPE cairn_peers gauge\n")
        .contains("cairn_peers{direction=\"inbound\"} 3.0\n")
        .contains("cairn_peers{direction=\"outbound\"} 4.0\n")
        .contains("cairn_head_height 7.0\n");
    assertThat(metrics.counter("cairn_blocks_imported_total", "source", "gossip")).isEqualTo(3);
    assertThat(metrics.counter("cairn_blocks_imported_total", "source", "sync")).isZero();
  }

  @Test
  void aGaugeNamedLikeACountersFamilyIsStillShown() {
    // cairn_gossip_messages (a gauge the dashboard of old reads) beside the counter
    // cairn_gossip_messages_total: one family name to the client, two lines in the text format
    metrics.gauge(
        "cairn_gossip_messages", "Verdicts", () -> 5, "topic", "blocks", "result", "accepted");
    metrics.inc("cairn_gossip_messages_total", "Results", "topic", "blocks", "result", "accept");

    assertThat(metrics.render())
        .contains("cairn_gossip_messages{result=\"accepted\",topic=\"blocks\"} 5.0\n")
        .contains("cairn_gossip_messages_total{result=\"accept\",topic=\"blocks\"} 1.0\n");
  }

  @Test
  void aMetricTakesNoMoreSeriesThanItsBound() {
    for (int i = 0; i < Metrics.MAX_SERIES_PER_METRIC + 10; i++) {
      metrics.inc("cairn_test_total", "Test", "k", "v" + i);
    }
    long shown = metrics.render().lines().filter(l -> l.startsWith("cairn_test_total{")).count();
    assertThat(shown).isEqualTo(Metrics.MAX_SERIES_PER_METRIC);
  }

  @Test
  void histogramsShowTheirSeriesAtZeroAndThenTheirObservations() {
    AtomicLong now = new AtomicLong();
    NodeMetrics node = new NodeMetrics(metrics, now::get);

    String fresh = metrics.render();
    assertThat(fresh)
        .contains("# TYPE cairn_block_import_seconds histogram\n")
        .contains("cairn_block_import_seconds_count{source=\"gossip\"} 0\n")
        .contains("cairn_request_duration_seconds_count{protocol=\"blocks_by_range\"} 0\n")
        .contains("cairn_gossip_validation_seconds_count{topic=\"txs\"} 0\n")
        .contains("cairn_sync_batch_seconds_count{phase=\"import\"} 0\n")
        .contains("cairn_block_arrival_delay_seconds_count 0\n");

    // a block import that takes 30 ms from hand-over to answer
    CompletableFuture<ImportResult> answer = new CompletableFuture<>();
    node.timeImport("sync", () -> answer);
    now.addAndGet(30_000_000);
    answer.complete(
        new ImportResult(ImportResult.Outcome.IMPORTED_HEAD, Hash.ZERO, null, "", null));
    // a duplicate is no import: not timed
    CompletableFuture<ImportResult> duplicate = new CompletableFuture<>();
    node.timeImport("sync", () -> duplicate);
    duplicate.complete(new ImportResult(ImportResult.Outcome.DUPLICATE, Hash.ZERO, null, "", null));

    Validator slow = m -> CompletableFuture.completedFuture(ValidationResult.ACCEPT);
    node.timedValidator("blocks", slow).validate(null);
    node.requestTook("status", 2_000_000_000L);
    node.blockArrived(1_000, 3_500);
    node.blockArrived(9_000, 3_500); // from the future: no delay

    String text = metrics.render();
    assertThat(text)
        .contains("cairn_block_import_seconds_bucket{source=\"sync\",le=\"0.025\"} 0\n")
        .contains("cairn_block_import_seconds_bucket{source=\"sync\",le=\"0.05\"} 1\n")
        .contains("cairn_block_import_seconds_count{source=\"sync\"} 1\n")
        .contains("cairn_block_import_seconds_sum{source=\"sync\"} 0.03\n")
        .contains("cairn_gossip_validation_seconds_count{topic=\"blocks\"} 1\n")
        .contains("cairn_request_duration_seconds_bucket{protocol=\"status\",le=\"2.5\"} 1\n")
        .contains("cairn_request_duration_seconds_bucket{protocol=\"status\",le=\"1.0\"} 0\n")
        .contains("cairn_block_arrival_delay_seconds_bucket{le=\"0.1\"} 1\n")
        .contains("cairn_block_arrival_delay_seconds_bucket{le=\"5.0\"} 2\n")
        .contains("cairn_block_arrival_delay_seconds_sum 2.5\n");
  }
}
