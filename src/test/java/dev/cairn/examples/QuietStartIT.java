package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's node command ({@code bin/cairn node}), with a JDK 17 first on the PATH where there
 * is one, prints only Cairn's lines: the first is Cairn's own log line (no JVM warning about native
 * access or {@code sun.misc.Unsafe} before it), and a stop by SIGTERM logs no WARN or ERROR.
 */
@Timeout(120)
class QuietStartIT {
  @TempDir Path tmp;

  @Test
  void theNodeCommandPrintsOnlyCairnsLinesFromStartToStop() throws Exception {
    ChildProcess p =
        ChildProcess.binCairn(
                "node",
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--data-dir",
                tmp.resolve("node").toString(),
                "--api",
                "off")
            .start();
    try {
      // the line as the README quotes it, logger name included
      p.await(
          Pattern.compile("INFO  \\[main\\] Node - Listening on (\\S+)"), Duration.ofSeconds(90));
      assertThat(p.lines().get(0)).as(p.toString()).containsPattern(ChildProcess.CAIRN_LOG_LINE);
    } finally {
      p.stop();
    }
    assertThat(p.lines().get(0)).as(p.toString()).containsPattern(ChildProcess.CAIRN_LOG_LINE);
    assertThat(p.warningsAndErrors()).as(p.toString()).isEmpty();
  }
}
