package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cairn status} as a user runs it: the first run leaves a class-data-sharing archive in
 * the cache directory (not in the repository), and every run prints only the node's JSON on stdout
 * and nothing on stderr (no JVM message about the archive it makes or uses).
 */
@Timeout(300)
class QuickClientIT {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  Run cairn(Path cache, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("bin/cairn"));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(tmp.resolve("out").toFile())
            .redirectError(tmp.resolve("err").toFile());
    pb.environment().put("CAIRN_CACHE_DIR", cache.toString());
    Process p = pb.start();
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("bin/cairn " + command).isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
  }

  static List<Path> archives(Path cache) throws IOException {
    if (!Files.isDirectory(cache)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(cache)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  @Test
  void statusMakesItsArchiveOnceAndPrintsOnlyJson() throws Exception {
    Path cache = tmp.resolve("cache");
    NodeConfig config =
        NodeConfig.of(
            "dev", tmp.resolve("node"), c -> c.api = new InetSocketAddress("127.0.0.1", 0));
    try (Node node = Node.start(config)) {
      String url = "http://127.0.0.1:" + node.apiAddress().getPort();
      for (int i = 0; i < 2; i++) {
        Run r = cairn(cache, "status", "--node", url);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as("run " + i).isEmpty();
        assertThat(new ObjectMapper().readTree(r.out()).path("network").asText()).isEqualTo("dev");
        assertThat(archives(cache)).as("run " + i).hasSize(1);
      }
      Run off = cairnWithoutArchive(url);
      assertThat(off.code()).as(off.err()).isZero();
    }
  }

  /** {@code CAIRN_CDS=off}: the same answer without an archive. */
  Run cairnWithoutArchive(String url) throws Exception {
    Path cache = tmp.resolve("no-cache");
    ProcessBuilder pb =
        new ProcessBuilder("bin/cairn", "peers", "--node", url)
            .redirectOutput(tmp.resolve("out").toFile())
            .redirectError(tmp.resolve("err").toFile());
    pb.environment().put("CAIRN_CACHE_DIR", cache.toString());
    pb.environment().put("CAIRN_CDS", "off");
    Process p = pb.start();
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(archives(cache)).isEmpty();
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
  }
}
