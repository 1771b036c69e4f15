package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000 concurrent connections to one host on loopback, each with an open stream, fit in a 256 MiB
 * heap and cost no platform thread each. Runs {@link ScaleNode} in a child JVM ({@code -Xmx256m},
 * the same JDK and class path as this test), which holds the listening host and the 1,000 client
 * connections (from 10 client hosts) — both ends of every connection, so twice the load the host
 * alone would carry. The child needs about 2,100 file descriptors.
 */
@Timeout(120)
class ScaleIT {
  static final int CONNECTIONS = 1000;

  @Test
  void holdsAThousandConnectionsWithOpenStreamsIn256MiBWithoutAThreadEach() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // protobuf; keeps stderr readable
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ScaleNode.class.getName(),
            Integer.toString(CONNECTIONS),
            "10"));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    String json = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        if (line.startsWith("{\"connections\"")) {
          json = line;
        }
      }
    }
    assertThat(child.waitFor(90, TimeUnit.SECONDS)).isTrue();
    int exit = child.exitValue();
    System.out.println("ScaleNode: " + json);
    assertThat(json).as("child output:%n%s", String.join("\n", output)).isNotNull();
    assertThat(exit).as("child output:%n%s", String.join("\n", output)).isZero();

    JsonNode figures = new ObjectMapper().readTree(json);
    assertThat(figures.get("streams").asInt()).isEqualTo(CONNECTIONS);
    assertThat(figures.get("answered").asInt()).isEqualTo(CONNECTIONS);
    assertThat(figures.get("serverConnections").asInt()).isEqualTo(CONNECTIONS);
    assertThat(figures.get("serving").asInt()).isEqualTo(CONNECTIONS);
    assertThat(figures.get("failures").asInt()).isZero();
    assertThat(figures.get("platformThreads").asInt()).isLessThan(100);
    assertThat(figures.get("heapUsedAfterGcMiB").asDouble()).isLessThan(256);
  }
}
