package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import dev.cairn.testing.ChildProcess;
import dev.cairn.testing.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn node} as a user runs it: separate JVMs from the packaged jar, one 127.0.0.x each.
 */
@Timeout(90)
class NodeProcessIT {
  private static final Pattern LISTENING = Pattern.compile("Listening on (\\S+)");
  private final ChildProcess.Group nodes = new ChildProcess.Group();

  @TempDir Path tmp;

  @AfterEach
  void stop() {
    nodes.close();
  }

  static String listenAddress(ChildProcess node) {
    return node.await(LISTENING, Duration.ofSeconds(30));
  }

  ChildProcess start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("node"));
    cmd.addAll(List.of(args));
    return nodes.start(ChildProcess.cairn(cmd.toArray(String[]::new)).heap("-Xmx128m"));
  }

  /**
   * A node listening on 127.0.0.{@code host}, storing under {@code dir} in the test's directory,
   * its API at {@code api} ("off": none), with {@code more} arguments.
   */
  ChildProcess startAt(int host, String dir, String api, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--listen",
                "/ip4/127.0.0." + host + "/tcp/0",
                "--data-dir",
                tmp.resolve(dir).toString(),
                "--api",
                api));
    args.addAll(List.of(more));
    return start(args.toArray(String[]::new));
  }

  @Test
  void servesStatusPeersAndMetricsOverHttp() throws Exception {
    ChildProcess a = startAt(2, "a", "127.0.0.2:0");
    String addrA = listenAddress(a);
    ChildProcess b = startAt(3, "b", "off", "--bootnode", addrA);
    listenAddress(b);
    String url = a.await(Pattern.compile("API listening on (http://\\S+)"), Duration.ofSeconds(20));
    assertThat(url).startsWith("http://127.0.0.2:");
    Await.until(
        () -> Http.text(url + "/api/v1/status").contains("\"peerCount\" : 1"),
        Duration.ofSeconds(20),
        "status shows one peer");
    assertThat(Http.text(url + "/api/v1/peers")).contains("\"direction\" : \"inbound\"");
    assertThat(Http.text(url + "/metrics")).contains("cairn_peers{direction=\"inbound\"} 1");
  }

  @Test
  void nodesBootstrappedFromOneBootnodeFindEachOtherThroughTheDht() throws Exception {
    ChildProcess boot = startAt(2, "boot", "off");
    String bootAddr = listenAddress(boot);
    List<ChildProcess> others = new ArrayList<>();
    for (int i = 3; i <= 4; i++) {
      others.add(startAt(i, "n" + i, "off", "--bootnode", bootAddr));
    }
    String id3 = Multiaddr.parse(listenAddress(others.get(0))).peerId().orElseThrow().toBase58();
    String id4 = Multiaddr.parse(listenAddress(others.get(1))).peerId().orElseThrow().toBase58();
    // neither was told of the other: they meet through the bootnode's routing table
    Await.until(
        () ->
            others.get(0).logged("Peer connected " + id4)
                || others.get(1).logged("Peer connected " + id3),
        Duration.ofSeconds(40),
        "the two nodes find each other through the DHT");
  }

  /**
   * A real store fault under a running node: its file-size limit drops to one byte (prlimit, as a
   * full disk would), so the chain owner's next write fails and the owner stops. The node must say
   * so at ERROR with the cause and exit non-zero, not keep serving a stale chain.
   */
  @Test
  void aNodeWhoseChainOwnerDiesLogsTheCauseAndExitsNonZero() throws Exception {
    Path prlimit = Path.of("/usr/bin/prlimit");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(prlimit), "needs util-linux prlimit to limit a running process");
    ChildProcess n =
        startAt(
            4,
            "dies",
            "127.0.0.4:0",
            "--mine",
            "--miner-address",
            "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp");
    listenAddress(n);
    Await.until(() -> n.logged("at height 1:"), Duration.ofSeconds(30), "the node mines");
    Process limit =
        new ProcessBuilder(
                prlimit.toString(), "--pid", Long.toString(n.process().pid()), "--fsize=1")
            .redirectErrorStream(true)
            .start();
    assertThat(limit.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(limit.exitValue()).as(new String(limit.getInputStream().readAllBytes())).isZero();

    assertThat(n.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
        .as("the node exits")
        .isTrue();
    assertThat(n.process().exitValue()).isEqualTo(1);
    Await.until(
        () -> n.logged("Node unhealthy, stopping: chain stopped"),
        Duration.ofSeconds(5),
        "the node says why it stops");
    assertThat(n.lines())
        .anyMatch(
            l ->
                l.contains("ERROR")
                    && l.contains("Node unhealthy, stopping: chain stopped")
                    && l.contains("File too large"));
  }

  @Test
  void refusesABadMultiaddrWithOneClearLine() throws Exception {
    ChildProcess bad =
        start("--listen", "/ip4/1.2.3/tcp/1", "--data-dir", tmp.resolve("x").toString());
    assertThat(bad.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(bad.process().exitValue()).isEqualTo(1);
    Await.until(() -> bad.logged("cairn: bad ip4 address"), Duration.ofSeconds(5), "error line");
    assertThat(bad.lines()).noneMatch(l -> l.contains("Exception"));
  }

  @Test
  void twoNodesOnTheirOwnAddressesConnectAndKeepTheirIdentity() throws Exception {
    Path dirA = tmp.resolve("a");
    ChildProcess a = startAt(2, "a", "off");
    String addrA = listenAddress(a);
    Multiaddr parsed = Multiaddr.parse(addrA);
    assertThat(parsed.toString()).startsWith("/ip4/127.0.0.2/tcp/");
    assertThat(parsed.peerId()).isPresent();
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dirA.resolve("node.key"))))
        .isEqualTo("rw-------");

    ChildProcess b = startAt(3, "b", "off", "--bootnode", addrA);
    String idB = Multiaddr.parse(listenAddress(b)).peerId().orElseThrow().toBase58();
    String idA = parsed.peerId().orElseThrow().toBase58();
    Await.until(() -> b.logged("Peer connected " + idA), Duration.ofSeconds(20), "b connects to a");
    Await.until(() -> a.logged("Peer connected " + idB), Duration.ofSeconds(20), "a sees b");

    a.stop();
    Await.until(() -> b.logged("Peer disconnected " + idA), Duration.ofSeconds(20), "b sees a go");
    ChildProcess again = startAt(2, "a", "off");
    assertThat(Multiaddr.parse(listenAddress(again)).peerId().orElseThrow().toBase58())
        .isEqualTo(idA);
  }
}
