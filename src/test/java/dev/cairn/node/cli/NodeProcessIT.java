package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
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
  private final List<Node> nodes = new ArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void stop() {
    nodes.forEach(Node::stop);
  }

  record Node(Process process, List<String> lines) {
    String listenAddress() {
      Await.until(() -> find(LISTENING) != null, Duration.ofSeconds(30), "node logs its address");
      return find(LISTENING);
    }

    String find(Pattern p) {
      for (String l : lines) {
        Matcher m = p.matcher(l);
        if (m.find()) {
          return m.group(1);
        }
      }
      return null;
    }

    boolean logged(String text) {
      return lines.stream().anyMatch(l -> l.contains(text));
    }

    void stop() {
      process.destroy();
      try {
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }

  Node start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx128m");
    cmd.add("-jar");
    cmd.add(Path.of("target", "cairn.jar").toAbsolutePath().toString());
    cmd.add("node");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // process ended
              }
            });
    Node n = new Node(p, lines);
    nodes.add(n);
    return n;
  }

  @Test
  void servesStatusPeersAndMetricsOverHttp() throws Exception {
    Node a =
        start(
            "--listen",
            "/ip4/127.0.0.2/tcp/0",
            "--data-dir",
            tmp.resolve("a").toString(),
            "--api",
            "127.0.0.2:0");
    String addrA = a.listenAddress();
    Node b =
        start(
            "--listen",
            "/ip4/127.0.0.3/tcp/0",
            "--data-dir",
            tmp.resolve("b").toString(),
            "--api",
            "off",
            "--bootnode",
            addrA);
    b.listenAddress();
    Pattern api = Pattern.compile("API listening on (http://\\S+)");
    Await.until(() -> a.find(api) != null, Duration.ofSeconds(20), "a logs its API URL");
    String url = a.find(api);
    assertThat(url).startsWith("http://127.0.0.2:");
    var http = java.net.http.HttpClient.newHttpClient();
    Await.until(
        () -> get(http, url + "/api/v1/status").contains("\"peerCount\" : 1"),
        Duration.ofSeconds(20),
        "status shows one peer");
    assertThat(get(http, url + "/api/v1/peers")).contains("\"direction\" : \"inbound\"");
    assertThat(get(http, url + "/metrics")).contains("cairn_peers{direction=\"inbound\"} 1");
  }

  static String get(java.net.http.HttpClient http, String url) {
    try {
      return http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Test
  void nodesBootstrappedFromOneBootnodeFindEachOtherThroughTheDht() throws Exception {
    Node boot =
        start(
            "--listen",
            "/ip4/127.0.0.2/tcp/0",
            "--data-dir",
            tmp.resolve("boot").toString(),
            "--api",
            "off");
    String bootAddr = boot.listenAddress();
    List<Node> others = new ArrayList<>();
    for (int i = 3; i <= 4; i++) {
      others.add(
          start(
              "--listen",
              "/ip4/127.0.0." + i + "/tcp/0",
              "--data-dir",
              tmp.resolve("n" + i).toString(),
              "--api",
              "off",
              "--bootnode",
              bootAddr));
    }
    String id3 = Multiaddr.parse(others.get(0).listenAddress()).peerId().orElseThrow().toBase58();
    String id4 = Multiaddr.parse(others.get(1).listenAddress()).peerId().orElseThrow().toBase58();
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
    Node n =
        start(
            "--listen",
            "/ip4/127.0.0.4/tcp/0",
            "--data-dir",
            tmp.resolve("dies").toString(),
            "--api",
            "127.0.0.4:0",
            "--mine",
            "--miner-address",
            "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp");
    n.listenAddress();
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
    Node bad = start("--listen", "/ip4/1.2.3/tcp/1", "--data-dir", tmp.resolve("x").toString());
    assertThat(bad.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(bad.process().exitValue()).isEqualTo(1);
    Await.until(() -> bad.logged("cairn: bad ip4 address"), Duration.ofSeconds(5), "error line");
    assertThat(bad.lines()).noneMatch(l -> l.contains("Exception"));
  }

  @Test
  void twoNodesOnTheirOwnAddressesConnectAndKeepTheirIdentity() throws Exception {
    Path dirA = tmp.resolve("a");
    Node a =
        start("--listen", "/ip4/127.0.0.2/tcp/0", "--data-dir", dirA.toString(), "--api", "off");
    String addrA = a.listenAddress();
    Multiaddr parsed = Multiaddr.parse(addrA);
    assertThat(parsed.toString()).startsWith("/ip4/127.0.0.2/tcp/");
    assertThat(parsed.peerId()).isPresent();
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dirA.resolve("node.key"))))
        .isEqualTo("rw-------");

    Node b =
        start(
            "--listen",
            "/ip4/127.0.0.3/tcp/0",
            "--data-dir",
            tmp.resolve("b").toString(),
            "--api",
            "off",
            "--bootnode",
            addrA);
    String idB = Multiaddr.parse(b.listenAddress()).peerId().orElseThrow().toBase58();
    String idA = parsed.peerId().orElseThrow().toBase58();
    Await.until(() -> b.logged("Peer connected " + idA), Duration.ofSeconds(20), "b connects to a");
    Await.until(() -> a.logged("Peer connected " + idB), Duration.ofSeconds(20), "a sees b");

    a.stop();
    Await.until(() -> b.logged("Peer disconnected " + idA), Duration.ofSeconds(20), "b sees a go");
    Node again =
        start("--listen", "/ip4/127.0.0.2/tcp/0", "--data-dir", dirA.toString(), "--api", "off");
    assertThat(Multiaddr.parse(again.listenAddress()).peerId().orElseThrow().toBase58())
        .isEqualTo(idA);
  }
}
