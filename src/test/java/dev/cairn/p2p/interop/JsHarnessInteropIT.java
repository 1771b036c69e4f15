package dev.cairn.p2p.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.testing.Await;
import dev.cairn.testing.JsPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the interop harness itself: two js-libp2p peers ({@link JsPeer}) run every harness command
 * against each other, in both dial directions. When a command fails here, the harness is broken,
 * not our libp2p stack; the Cairn-vs-js tests reuse exactly these commands.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JsHarnessInteropIT {
  private static final int MIB = 1 << 20;
  private static final String SEED_A = "01".repeat(32);

  private static JsPeer a;
  private static JsPeer b;

  @BeforeAll
  static void startPeers() {
    JsPeer.assumeEnabled();
    a = JsPeer.start("--key-seed", SEED_A, "--ping-max-streams", "8");
    b = JsPeer.start("--ping-max-streams", "8");
  }

  @AfterAll
  static void stopPeers() {
    for (JsPeer peer : new JsPeer[] {a, b}) {
      if (peer != null) {
        peer.close();
      }
    }
  }

  /** (dialer, listener) in both directions. */
  static Stream<Arguments> directions() {
    return Stream.of(
        Arguments.of(Named.of("a->b", new Pair(true))),
        Arguments.of(Named.of("b->a", new Pair(false))));
  }

  record Pair(boolean aDials) {
    JsPeer dialer() {
      return aDials ? a : b;
    }

    JsPeer listener() {
      return aDials ? b : a;
    }
  }

  @Test
  @Order(0)
  void readyLineGivesPeerIdAndDialableAddresses() {
    JsPeer again = JsPeer.start("--key-seed", SEED_A, "--no-listen");
    try (again) {
      assertThat(again.peerId()).isEqualTo(a.peerId()).startsWith("12D3KooW");
      assertThat(again.addrs()).isEmpty();
    }
    assertThat(a.addrs())
        .isNotEmpty()
        .allSatisfy(
            addr ->
                assertThat(addr).startsWith("/ip4/127.0.0.1/tcp/").endsWith("/p2p/" + a.peerId()));
    JsonNode self = a.call("self", Map.of());
    assertThat(texts(self.path("protocols")))
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/cairn/test/echo/1.0.0", "/perf/1.0.0");
    assertThat(self.path("publicKey").asText()).startsWith("08011220"); // Ed25519 key protobuf
  }

  @ParameterizedTest
  @MethodSource("directions")
  @Order(1)
  void dialsAndPings(Pair p) {
    // js reuses any open connection to the peer, so drop it to make this dial direction real
    p.dialer().hangUp(p.listener().peerId());
    JsonNode dialed = p.dialer().dial(p.listener().addr());
    assertThat(dialed.path("peer").asText()).isEqualTo(p.listener().peerId());
    assertThat(dialed.path("direction").asText()).isEqualTo("outbound");
    assertThat(dialed.path("encryption").asText()).isEqualTo("/noise");
    assertThat(dialed.path("multiplexer").asText()).isEqualTo("/yamux/1.0.0");

    JsonNode byPeer = p.dialer().ping(p.listener().peerId(), 5);
    assertThat(byPeer.path("rtts")).hasSize(5);
    JsonNode byAddr = p.dialer().ping(p.listener().addr(), 1);
    assertThat(byAddr.path("rtts").get(0).asDouble()).isGreaterThanOrEqualTo(0);

    assertThat(texts(p.dialer().peers().path("peers"), "peer")).contains(p.listener().peerId());
  }

  @ParameterizedTest
  @MethodSource("directions")
  @Order(2)
  void identifyReportsWhatTheRemoteAnnounced(Pair p) {
    p.dialer().dial(p.listener().addr());
    JsonNode id = p.dialer().identify(p.listener().peerId());
    assertThat(id.path("peer").asText()).isEqualTo(p.listener().peerId());
    assertThat(texts(id.path("protocols")))
        .contains("/ipfs/ping/1.0.0", "/ipfs/id/1.0.0", "/cairn/test/echo/1.0.0");
    assertThat(texts(id.path("listenAddrs"))).isNotEmpty();
    JsonNode self = p.listener().call("self", Map.of());
    assertThat(id.path("publicKey").asText()).isEqualTo(self.path("publicKey").asText());
    assertThat(id.path("agentVersion").asText()).startsWith("js-libp2p/");
    assertThat(id.path("protocolVersion").asText()).isNotEmpty();
    assertThat(id.path("observedAddr").asText()).startsWith("/ip4/127.0.0.1/tcp/");

    JsonNode fresh =
        p.dialer().call("identify", Map.of("peer", p.listener().peerId(), "fresh", true));
    assertThat(fresh.path("publicKey").asText()).isEqualTo(id.path("publicKey").asText());
  }

  @ParameterizedTest
  @MethodSource("directions")
  @Order(3)
  void echoes64ConcurrentStreamsOf1MiB(Pair p) {
    int servedBefore = p.listener().events("echo:served").size();
    JsonNode echo = p.dialer().echo(p.listener().addr(), 64, MIB);
    assertThat(echo.path("passed").asInt()).isEqualTo(64);
    assertThat(echo.path("failed").asInt()).isZero();
    // the serving side saw every stream end cleanly with the full 1 MiB
    Await.until(
        () -> p.listener().events("echo:served").size() >= servedBefore + 64,
        Duration.ofSeconds(5),
        "64 echo:served events");
    assertThat(p.listener().events("echo:served").subList(servedBefore, servedBefore + 64))
        .allSatisfy(e -> assertThat(e.path("bytes").asInt()).isEqualTo(MIB));
  }

  @ParameterizedTest
  @MethodSource("directions")
  @Order(4)
  void halfClosedStreamStillDeliversTheRemoteData(Pair p) {
    JsonNode half = p.dialer().halfClose(p.listener().peerId(), MIB);
    assertThat(half.path("bytes").asInt()).isEqualTo(MIB);
    // data that arrived after our FIN was sent: the remote kept writing after our half-close
    assertThat(half.path("bytesAfterFin").asInt()).isPositive();
  }

  @ParameterizedTest
  @MethodSource("directions")
  @Order(5)
  void perfUploadsAndDownloads(Pair p) {
    JsonNode perf = p.dialer().perf(p.listener().addr(), MIB, 4L * MIB);
    assertThat(perf.path("upload").asLong()).isEqualTo(MIB);
    assertThat(perf.path("download").asLong()).isEqualTo(4L * MIB);
    assertThat(perf.path("seconds").asDouble()).isPositive();
    JsonNode empty = p.dialer().perf(p.listener().peerId(), 0, 0);
    assertThat(empty.path("download").asLong()).isZero();
    p.listener()
        .awaitEvent(
            e ->
                "perf:served".equals(e.path("event").asText())
                    && e.path("downloaded").asLong() == 4L * MIB,
            Duration.ofSeconds(5),
            "perf:served of 4 MiB");
  }

  @Test
  @Order(6)
  void reportsFailuresAsAnswersAndHangsUp() {
    assertThatThrownBy(() -> a.call("no-such-command", Map.of()))
        .isInstanceOf(JsPeer.CommandFailedException.class)
        .hasMessageContaining("unknown command");
    a.dial(b.addr());
    a.hangUp(b.peerId());
    assertThat(texts(a.peers().path("peers"), "peer")).doesNotContain(b.peerId());
    b.awaitEvent(
        e ->
            "connection:close".equals(e.path("event").asText())
                && a.peerId().equals(e.path("peer").asText()),
        Duration.ofSeconds(5),
        "connection:close");

    // Only once disconnected: js answers dial(addr with /p2p/B) with any open connection to B.
    JsonNode failed =
        a.tryCall(
            "dial",
            Map.of("addr", "/ip4/127.0.0.1/tcp/1/p2p/" + b.peerId()),
            Duration.ofSeconds(5));
    assertThat(failed.path("ok").asBoolean()).as(failed.toString()).isFalse();
    assertThat(failed.path("error").asText()).isNotEmpty();

    assertThat(a.events("unhandled")).isEmpty();
    assertThat(b.events("unhandled")).isEmpty();
    assertThat(a.events("stream:error")).isEmpty();
    assertThat(b.events("stream:error")).isEmpty();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }
}
