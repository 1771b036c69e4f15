package dev.cairn.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.node.DevNode;
import dev.cairn.node.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard of docker/ reads only metrics a node serves: every metric name in every
 * panel's query is a series of a freshly started node's {@code /metrics}, and the distributions are
 * read from the histograms.
 */
@Timeout(120)
class GrafanaDashboardTest {
  static final Path DASHBOARD = Path.of("docker", "grafana", "dashboards", "cairn.json");
  static final Pattern METRIC = Pattern.compile("\\bcairn_[a-z0-9_]+\\b");

  @TempDir Path tmp;

  /** Every {@code expr} of the dashboard's panels (rows and nested panels included). */
  static List<String> queries() throws Exception {
    List<String> out = new ArrayList<>();
    collect(new ObjectMapper().readTree(DASHBOARD.toFile()), out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                  out.add(e.getValue().asText());
                } else {
                  collect(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  /** The series names (without labels) of a /metrics body. */
  static Set<String> seriesNames(String body) {
    Set<String> names = new TreeSet<>();
    for (String line : body.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
        names.add(line.substring(0, end));
      }
    }
    return names;
  }

  @Test
  void everyMetricTheDashboardQueriesIsServedByANode() throws Exception {
    List<String> queries = queries();
    Set<String> queried = new LinkedHashSet<>();
    for (String q : queries) {
      Matcher m = METRIC.matcher(q);
      while (m.find()) {
        queried.add(m.group());
      }
    }
    assertThat(queried).hasSizeGreaterThanOrEqualTo(10);

    String body;
    try (Node node = DevNode.start(tmp.resolve("node"), null)) {
      body = DevNode.get(node, "/metrics").body();
    }
    assertThat(seriesNames(body)).containsAll(queried);
  }

  @Test
  void theDistributionsAreReadFromTheHistograms() throws Exception {
    String all = String.join("\n", queries());
    for (String histogram :
        List.of(
            "cairn_block_import_seconds",
            "cairn_gossip_validation_seconds",
            "cairn_request_duration_seconds",
            "cairn_block_arrival_delay_seconds",
            "cairn_sync_batch_seconds")) {
      assertThat(all)
          .as(histogram)
          .containsPattern("histogram_quantile\\([^\\n]*" + histogram + "_bucket");
    }
  }
}
