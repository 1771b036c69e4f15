package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.ChildProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code LocalNetwork} as the README runs it ({@code bin/cairn example local-network}), to
 * completion: Cairn's lines only, and no WARN or ERROR while its four nodes run and stop.
 */
@Timeout(90)
class LocalNetworkExampleIT {
  @Test
  void fourNodesConvergeOnAHeadThatHoldsTheTransfers() throws Exception {
    ChildProcess p = ChildProcess.binCairn("example", "local-network", "--timeout", "75").start();
    try {
      int code = p.exitCode(Duration.ofSeconds(85));
      assertThat(code).as(p.toString()).isZero();
      assertThat(p.lines()).anyMatch(l -> l.startsWith("converged: all 4 nodes at the same head"));
      assertThat(p.lines().stream().filter(l -> l.contains("submits tx")).toList())
          .hasSize(3)
          .allMatch(l -> l.endsWith("ADDED"));
      assertThat(p.lines()).noneMatch(l -> l.contains("Exception"));
      assertThat(p.lines().get(0)).as(p.toString()).doesNotStartWith("WARNING");
      assertThat(p.warningsAndErrors()).as(p.toString()).isEmpty();
    } finally {
      p.stop();
    }
  }
}
