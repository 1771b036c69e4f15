package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.node.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cairn node} settings: flag over environment over config file over default. */
@Timeout(30)
class NodeSettingsTest {
  @TempDir Path tmp;

  private NodeConfig resolve(Map<String, String> env, String... args) throws IOException {
    CommandLine cl = Main.commandLine(env);
    CommandLine.ParseResult r = cl.parseArgs(args);
    NodeCommand node = (NodeCommand) r.subcommand().commandSpec().userObject();
    return node.config();
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
    Path file = tmp.resolve("cairn.conf");
    Files.writeString(
        file,
        """
        # a comment
        network = test
        api = 127.0.0.1:7001
        data-dir = "%s"
        listen = /ip4/127.0.0.1/tcp/5001, /ip4/127.0.0.1/tcp/5002
        miner_threads = 3
        """
            .formatted(tmp.resolve("from-file")));
    Map<String, String> env = Map.of("CAIRN_API", "127.0.0.1:7002", "CAIRN_MINER_THREADS", "4");

    NodeConfig c = resolve(env, "node", "--config", file.toString(), "--miner-threads", "5");
    assertThat(c.network()).isEqualTo("test"); // file only
    assertThat(c.dataDir()).isEqualTo(tmp.resolve("from-file"));
    assertThat(c.nodeKeyFile()).isEqualTo(tmp.resolve("from-file").resolve("node.key"));
    assertThat(c.listen()).hasSize(2);
    assertThat(c.api().getPort()).isEqualTo(7002); // env over file
    assertThat(c.minerThreads()).isEqualTo(5); // flag over env over file
    assertThat(c.bootnodes()).isEmpty(); // default

    NodeConfig d = resolve(Map.of(), "node", "--data-dir", tmp.toString());
    assertThat(d.network()).isEqualTo("dev");
    assertThat(d.api().getPort()).isEqualTo(8645);
    assertThat(d.mine()).isFalse();
    assertThat(d.enablePerf()).isFalse();
    assertThat(resolve(Map.of(), "node", "--enable-perf").enablePerf()).isTrue();
    assertThat(resolve(Map.of("CAIRN_ENABLE_PERF", "true"), "node").enablePerf()).isTrue();
  }

  @Test
  void memoryBudgetsComeFromFlagsOrEnvironmentInSizeUnits() throws IOException {
    NodeConfig d = resolve(Map.of(), "node");
    assertThat(d.memLimit()).isEqualTo(96L << 20);
    assertThat(d.peerMemLimit()).isEqualTo(16L << 20);
    NodeConfig c = resolve(Map.of("CAIRN_PEER_MEM_LIMIT", "4m"), "node", "--mem-limit", "1GiB");
    assertThat(c.memLimit()).isEqualTo(1L << 30);
    assertThat(c.peerMemLimit()).isEqualTo(4L << 20);
    assertThat(NodeCommand.parseSize("512k", "--x")).isEqualTo(512L << 10);
    assertThat(NodeCommand.parseSize("1048576", "--x")).isEqualTo(1L << 20);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> resolve(Map.of(), "node", "--mem-limit", "lots"))
        .hasRootCauseInstanceOf(NumberFormatException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> resolve(Map.of(), "node", "--mem-limit", "8m", "--peer-mem-limit", "16m"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configFileMayComeFromTheEnvironment() throws IOException {
    Path file = tmp.resolve("c.conf");
    Files.writeString(file, "network: test\napi = off\n");
    NodeConfig c =
        resolve(Map.of("CAIRN_CONFIG", file.toString()), "node", "--data-dir", tmp.toString());
    assertThat(c.network()).isEqualTo("test");
    assertThat(c.api()).isNull();
  }

  @Test
  void unknownKeyInTheFileIsAnErrorNamingTheLine() throws IOException {
    Path file = tmp.resolve("c.conf");
    Files.writeString(file, "network = dev\nlisten-addr = /ip4/1.2.3.4/tcp/1\n");
    assertThatThrownBy(() -> resolve(Map.of(), "node", "--config", file.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2: unknown key 'listen-addr'");
  }

  @Test
  void badMultiaddrIsOneLineAndExitCodeOne() {
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(Map.of())
            .setErr(new PrintWriter(err))
            .execute("node", "--data-dir", tmp.toString(), "--listen", "/ip4/1.2.3/tcp/1");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).startsWith("cairn: ").doesNotContain("\tat ");
    assertThat(err.toString().strip().lines()).hasSize(1);
  }
}
