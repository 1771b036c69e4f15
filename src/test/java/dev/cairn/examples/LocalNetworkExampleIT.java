package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code LocalNetwork} as the README runs it, to completion. */
@Timeout(90)
class LocalNetworkExampleIT {
  @Test
  void fourNodesConvergeOnAHeadThatHoldsTheTransfers() throws Exception {
    ExampleProcess p = ExampleProcess.start("dev.cairn.examples.LocalNetwork", "--timeout", "75");
    try {
      int code = p.exitCode(Duration.ofSeconds(85));
      assertThat(code).as(p.toString()).isZero();
      assertThat(p.lines()).anyMatch(l -> l.startsWith("converged: all 4 nodes at the same head"));
      assertThat(p.lines().stream().filter(l -> l.contains("submits tx")).toList())
          .hasSize(3)
          .allMatch(l -> l.endsWith("ADDED"));
      assertThat(p.lines()).noneMatch(l -> l.contains("Exception"));
    } finally {
      p.stop();
    }
  }
}
