package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.ChildProcess;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log and error lines that the README's troubleshooting section quotes, as the node prints
 * them.
 */
@Timeout(90)
class TroubleshootingIT {
  @TempDir Path tmp;
  private final java.util.List<ChildProcess> started = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(ChildProcess::stop);
  }

  ChildProcess node(String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "node";
    System.arraycopy(args, 0, all, 1, args.length);
    ChildProcess p = ChildProcess.jarMain("dev.cairn.node.cli.Main", all).start();
    started.add(p);
    return p;
  }

  @Test
  void portInUseAndNoPeersEachSayWhatIsWrong() throws Exception {
    // The first node takes free ports (0) and the others are told the ports it got, so the
    // clash is with our own node, never with whatever else runs on this machine.
    ChildProcess a =
        node(
            "--listen",
            "/ip4/127.0.0.6/tcp/0",
            "--data-dir",
            tmp.resolve("a").toString(),
            "--api",
            "127.0.0.6:0");
    String listening =
        a.await(
            Pattern.compile("Listening on (/ip4/127\\.0\\.0\\.6/tcp/\\d+)"),
            Duration.ofSeconds(30));
    String api =
        a.await(
            Pattern.compile("API listening on http://(127\\.0\\.0\\.6:\\d+)"),
            Duration.ofSeconds(30));

    ChildProcess samePort =
        node("--listen", listening, "--data-dir", tmp.resolve("b").toString(), "--api", "off");
    ChildProcess sameApi =
        node(
            "--listen",
            "/ip4/127.0.0.6/tcp/0",
            "--data-dir",
            tmp.resolve("c").toString(),
            "--api",
            api);
    // A bootnode that cannot answer: a socket bound but not listening holds the port for the
    // whole test, so the dial is refused (nothing else can take that port meanwhile).
    try (Socket closed = new Socket()) {
      closed.bind(new InetSocketAddress("127.0.0.9", 0));
      ChildProcess noBootnode =
          node(
              "--listen",
              "/ip4/127.0.0.8/tcp/0",
              "--data-dir",
              tmp.resolve("e").toString(),
              "--api",
              "off",
              "--bootnode",
              "/ip4/127.0.0.9/tcp/"
                  + closed.getLocalPort()
                  + "/p2p/12D3KooWLjvhxAHBwLMhiC3C9DJLbojhcxZNiWAyJUvus1r5upVP");

      assertThat(samePort.exitCode(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(samePort.toString())
          .contains("cairn: cannot listen on [" + listening + "]: Address already in use");
      assertThat(sameApi.exitCode(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(sameApi.toString())
          .contains("cairn: cannot serve the API on " + api + ": Address already in use");
      noBootnode.await(
          Pattern.compile(
              "(WARN  \\[bootnode-check\\] Node - No peers 15s after start: no bootnode answered)"),
          Duration.ofSeconds(40));
    }
  }

  @Test
  void nodesOfDifferentNetworksRefuseEachOtherInBothLogs() throws Exception {
    ChildProcess dev =
        node(
            "--listen",
            "/ip4/127.0.0.10/tcp/0",
            "--data-dir",
            tmp.resolve("dev").toString(),
            "--api",
            "off");
    String devAddr = dev.await(Pattern.compile("Listening on (\\S+)"), Duration.ofSeconds(30));
    ChildProcess test =
        node(
            "--network",
            "test",
            "--listen",
            "/ip4/127.0.0.11/tcp/0",
            "--data-dir",
            tmp.resolve("test").toString(),
            "--api",
            "off",
            "--bootnode",
            devAddr);
    test.await(
        Pattern.compile(
            "(\\[sync-manager-\\S+\\] SyncManager - Refusing peer \\S+: network dev differs from ours test)"),
        Duration.ofSeconds(30));
    dev.await(
        Pattern.compile("(Refusing peer \\S+: network test differs from ours dev)"),
        Duration.ofSeconds(30));
    dev.await(
        Pattern.compile(
            "(\\[conn-manager-\\S+\\] ConnectionManager - Banned peer \\S+ for PT10M: network test"
                + " differs from ours dev)"),
        Duration.ofSeconds(30));
  }
}
