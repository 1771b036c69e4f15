package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Address;
import dev.cairn.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric of docs/API.md moves when its event happens, read back from {@code /metrics}: two
 * mining dev nodes, B started alone (its own short chain) and then dialling A, whose longer chain B
 * syncs (a reorg), while each gossips its new blocks to the other; A then bans B.
 */
@Timeout(180)
class NodeMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  static Address address(String seed) {
    return ChainFixture.seededKey(seed).address();
  }

  Node start(String name) throws Exception {
    return DevNode.start(tmp.resolve(name), address("metrics miner " + name));
  }

  /**
   * Every series of {@code node}'s /metrics, as {@code name{labels}} to value, its labels in name
   * order (as the Prometheus client writes them; {@link #value} puts a query's labels in that order
   * too, since their order means nothing in Prometheus).
   */
  static Map<String, Double> scrape(Node node) {
    String body = DevNode.get(node, "/metrics").body();
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        series.put(
            canonical(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return series;
  }

  static double value(Node node, String series) {
    return scrape(node).getOrDefault(canonical(series), 0.0);
  }

  /** {@code name{b="1",a="2"}} as {@code name{a="2",b="1"}}. */
  static String canonical(String series) {
    int brace = series.indexOf('{');
    if (brace < 0) {
      return series;
    }
    java.util.TreeMap<String, String> labels = new java.util.TreeMap<>();
    Matcher m =
        Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(series.substring(brace));
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    StringBuilder b = new StringBuilder(series.substring(0, brace)).append('{');
    labels.forEach(
        (k, v) ->
            b.append(b.length() > brace + 1 ? "," : "")
                .append(k)
                .append("=\"")
                .append(v)
                .append('"'));
    return b.append('}').toString();
  }

  /** The metric families of {@code node}'s /metrics, from its {@code # TYPE} lines. */
  static Set<String> families(Node node) {
    String body = DevNode.get(node, "/metrics").body();
    Set<String> names = new LinkedHashSet<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      }
    }
    return names;
  }

  /** The sum of a series on two nodes: what one of them counted, whichever it was. */
  static double onBoth(Node a, Node b, String series) {
    return value(a, series) + value(b, series);
  }

  static void awaitPositive(Node node, String series, String name) {
    Await.until(() -> value(node, series) > 0, WAIT, name + ": " + series + " > 0");
  }

  /** The metric names of docs/API.md's /metrics table. */
  static Set<String> documentedMetrics() throws Exception {
    String doc = Files.readString(Path.of("docs", "API.md"));
    String table = doc.substring(doc.indexOf("## GET /metrics"));
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("`(cairn_[a-z_]+)").matcher(table);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void everyDocumentedMetricIsFedAndReadBack() throws Exception {
    try (Node a = start("a")) {
      Await.until(() -> a.chain().view().height() >= 30, WAIT, "A mines 30 blocks");
      try (Node b = start("b")) {
        Await.until(() -> b.chain().view().height() >= 1, WAIT, "B mines its own block");
        b.p2p().host().dial(a.p2p().host().fullAddress().orElseThrow());

        // A: its miner, and the sync protocols it serves B
        awaitPositive(a, "cairn_blocks_imported_total{source=\"miner\"}", "A's miner");
        awaitPositive(a, "cairn_hash_rate", "A mines");
        awaitPositive(a, "cairn_miner_blocks_found", "A mines");
        awaitPositive(
            a, "cairn_requests_served_total{protocol=\"status\",code=\"success\"}", "status");
        awaitPositive(
            a,
            "cairn_requests_served_total{protocol=\"headers_by_locator\",code=\"success\"}",
            "headers");
        awaitPositive(a, "cairn_peers{direction=\"inbound\"}", "B dialled A");

        // B: sync brings A's heavier chain, abandoning B's own blocks
        awaitPositive(b, "cairn_blocks_imported_total{source=\"sync\"}", "B syncs");
        awaitPositive(b, "cairn_reorgs_total", "B leaves its own branch");
        awaitPositive(b, "cairn_head_changes_total", "B's head moves");
        awaitPositive(b, "cairn_head_height", "B's head");
        awaitPositive(b, "cairn_head_work", "B's head");
        awaitPositive(b, "cairn_peers{direction=\"outbound\"}", "B dialled A");
        awaitPositive(b, "cairn_kad_routing_table_peers", "B knows A through identify");

        // gossip, both ways, once B is on A's chain: new blocks arrive and are imported
        Await.until(
            () -> onBoth(a, b, "cairn_blocks_imported_total{source=\"gossip\"}") > 0,
            WAIT,
            "a block imported from gossip");
        Await.until(
            () ->
                onBoth(a, b, "cairn_gossip_messages_total{topic=\"blocks\",result=\"accept\"}") > 0,
            WAIT,
            "a gossiped block accepted");

        // the histograms: sync's requests, batches and imports on B, gossip on both
        awaitPositive(
            b, "cairn_request_duration_seconds_count{protocol=\"headers_by_locator\"}", "B asks");
        awaitPositive(b, "cairn_sync_batch_seconds_count{phase=\"download\"}", "B downloads");
        awaitPositive(b, "cairn_sync_batch_seconds_count{phase=\"import\"}", "B imports");
        awaitPositive(b, "cairn_block_import_seconds_count{source=\"sync\"}", "B imports");
        Await.until(
            () ->
                onBoth(a, b, "cairn_gossip_validation_seconds_count{topic=\"blocks\"}") > 0
                    && onBoth(a, b, "cairn_block_arrival_delay_seconds_count") > 0
                    && onBoth(a, b, "cairn_block_import_seconds_count{source=\"gossip\"}") > 0,
            WAIT,
            "a gossiped block validated, timed and its arrival delay recorded");

        // a ban
        assertThat(value(a, "cairn_banned_peers")).isZero();
        a.p2p().host().ban(b.p2p().host().peerId(), Duration.ofHours(1), "metrics test");
        awaitPositive(a, "cairn_peer_bans_total", "A banned B");
        Await.until(() -> value(a, "cairn_banned_peers") == 1, WAIT, "one peer banned now");

        // and every metric the API documents is there, on one node or the other
        Set<String> shown = new LinkedHashSet<>();
        for (Node n : List.of(a, b)) {
          for (String s : scrape(n).keySet()) {
            shown.add(s.contains("{") ? s.substring(0, s.indexOf('{')) : s);
          }
          shown.addAll(families(n)); // a histogram's family name has no line of its own
        }
        assertThat(documentedMetrics()).hasSizeGreaterThanOrEqualTo(16);
        assertThat(shown).containsAll(documentedMetrics());
      }
    }
  }
}
