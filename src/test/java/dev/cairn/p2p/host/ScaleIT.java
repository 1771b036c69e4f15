package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.testing.ChildProcess;
import java.time.Duration;
import java.util.List;
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
    ChildProcess.Launch launch =
        ChildProcess.testMain(ScaleNode.class, Integer.toString(CONNECTIONS), "10");
    if (Runtime.version().feature() >= 24) {
      launch.jvm("--sun-misc-unsafe-memory-access=allow"); // protobuf; keeps stderr readable
    }
    ChildProcess child = launch.start();
    int exit;
    try {
      exit = child.exitCode(Duration.ofSeconds(90));
    } finally {
      child.stop();
    }
    List<String> output = child.lines();
    String json =
        output.stream()
            .filter(l -> l.startsWith("{\"connections\""))
            .reduce((x, y) -> y)
            .orElse(null);
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
    // Well below the -Xmx256m (151-153 MiB measured, docs/BENCHMARKS.md): a bound at the -Xmx
    // itself could never fail, since the child would have died of OutOfMemoryError first.
    assertThat(figures.get("heapUsedAfterGcMiB").asDouble()).isLessThan(192);
  }
}
