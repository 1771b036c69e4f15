package dev.cairn.p2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.identify.IdentifyMessage;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.perf.PerfService;
import dev.cairn.p2p.record.PeerRecord;
import dev.cairn.testing.Await;
import dev.cairn.testing.Echo;
import dev.cairn.testing.JsPeer;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our host against a js-libp2p peer (TCP + Noise + yamux + identify + ping + perf), in both dial
 * directions. Each test starts from no connection between the two.
 */
@Timeout(120)
class Libp2pInteropIT {
  static final String ECHO = Echo.PROTOCOL_ID;
  static final int MIB = 1 << 20;

  static JsPeer js;
  static Libp2p java;
  static PeerId jsId;

  @BeforeAll
  static void start() throws IOException {
    JsPeer.assumeEnabled();
    js = JsPeer.start("--listen", "/ip4/127.0.0.1/tcp/0");
    jsId = PeerId.parse(js.peerId());
    // No byte budgets: these tests check muxing and framing against js, and 64 concurrent 1 MiB
    // streams to one peer are more than the default per-peer budget holds (16 MiB of 256 KiB
    // windows, identify's stream included), which refused the 64th now and then.
    java =
        Libp2p.create(
            HostConfig.defaults(
                    Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withResources(ResourceLimits.unlimited()));
    java.host().setHandler(ECHO, Echo::serve);
  }

  @AfterAll
  static void stop() {
    if (java != null) {
      java.close();
    }
    if (js != null) {
      js.close();
    }
  }

  @AfterEach
  void hangUp() {
    java.host().disconnect(jsId);
    js.hangUp(java.host().peerId().toBase58());
    Await.until(() -> !java.host().isConnected(jsId), "connection closed on both sides");
  }

  String javaAddr() {
    return java.host().fullAddress().orElseThrow().toString();
  }

  Connection javaDialsJs() throws IOException {
    Connection c = java.host().dial(Multiaddr.parse(js.addr()));
    assertThat(c.remotePeer()).isEqualTo(jsId);
    return c;
  }

  void jsDialsJava() {
    JsonNode conn = js.dial(javaAddr());
    assertThat(conn.path("peer").asText()).isEqualTo(java.host().peerId().toBase58());
    assertThat(conn.path("encryption").asText()).isEqualTo("/noise");
    assertThat(conn.path("multiplexer").asText()).isEqualTo("/yamux/1.0.0");
    Await.until(() -> java.host().isConnected(jsId), "java sees the js connection");
  }

  @Test
  void javaDialsJsThenPingsAndIdentifiesBothWays() throws Exception {
    Connection c = javaDialsJs();
    assertThat(c.muxer()).isEqualTo("/yamux/1.0.0");
    assertThat(java.ping().ping(jsId, 3)).hasSize(3).allMatch(d -> d.isPositive());
    assertThat(js.ping(java.host().peerId().toBase58(), 3).path("rtts")).hasSize(3);
    checkIdentifyBothWays();
  }

  @Test
  void jsDialsJavaThenPingsAndIdentifiesBothWays() throws Exception {
    jsDialsJava();
    assertThat(js.ping(java.host().peerId().toBase58(), 3).path("rtts")).hasSize(3);
    assertThat(java.ping().ping(jsId, 3)).hasSize(3);
    checkIdentifyBothWays();
  }

  private void checkIdentifyBothWays() throws Exception {
    IdentifyMessage aboutJs = java.identify().awaitIdentify(jsId, 10_000);
    assertThat(aboutJs.protocols())
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", ECHO, PerfService.PROTOCOL_ID);
    assertThat(aboutJs.listenAddrs()).contains(Multiaddr.parse(js.addr()).withoutPeerId());
    assertThat(PeerId.fromPublicKey(aboutJs.publicKey())).isEqualTo(jsId);
    assertThat(aboutJs.agentVersion()).isNotBlank();
    assertThat(aboutJs.signedPeerRecord()).isNotNull();
    assertThat(PeerRecord.decode(aboutJs.signedPeerRecord()).peerId()).isEqualTo(jsId);

    JsonNode aboutJava = js.identify(java.host().peerId().toBase58());
    List<String> protocols = new ArrayList<>();
    aboutJava.path("protocols").forEach(p -> protocols.add(p.asText()));
    assertThat(protocols)
        .contains("/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0", "/perf/1.0.0", ECHO);
    List<String> addrs = new ArrayList<>();
    aboutJava.path("listenAddrs").forEach(a -> addrs.add(a.asText()));
    assertThat(addrs)
        .anyMatch(a -> a.startsWith(java.host().listenAddresses().getFirst().toString()));
    assertThat(aboutJava.path("publicKey").asText())
        .isEqualTo(HexFormat.of().formatHex(java.host().identity().publicKey().encode()));
    assertThat(aboutJava.path("agentVersion").asText()).startsWith("cairn/");
    assertThat(aboutJava.path("signedPeerRecord").asBoolean()).isTrue();
  }

  @Test
  void javaOpens64StreamsOf1MiBToJsWithChecksumsIntact() throws Exception {
    javaDialsJs();
    java.identify().awaitIdentify(jsId, 10_000); // js resets early stream bursts before it's ready
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        long seed = i;
        results.add(exec.submit(() -> echoThrough(jsId, MIB, seed)));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void jsOpens64StreamsOf1MiBToJavaWithChecksumsIntact() {
    jsDialsJava();
    JsonNode r =
        js.call(
            "echo",
            Map.of("addr", javaAddr(), "streams", 64, "bytes", MIB),
            Duration.ofSeconds(90));
    assertThat(r.path("passed").asInt()).isEqualTo(64);
    assertThat(r.path("failed").asInt()).isZero();
  }

  @Test
  void javaHalfClosesAndStillReceivesTheJsEcho() throws Exception {
    javaDialsJs();
    byte[] data = new byte[2 * MIB];
    new Random(7).nextBytes(data);
    try (Stream s = java.host().newStream(jsId, ECHO)) {
      // write everything, then FIN; most of the echo arrives after our FIN
      Future<byte[]> reader;
      try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
        reader = exec.submit(() -> s.in().readAllBytes());
        s.out().write(data);
        s.closeWrite();
        assertThat(sha256(reader.get(60, TimeUnit.SECONDS))).isEqualTo(sha256(data));
      }
    }
  }

  @Test
  void jsHalfClosesAndStillReceivesTheJavaEcho() {
    jsDialsJava();
    JsonNode r = js.halfClose(javaAddr(), 2 * MIB);
    assertThat(r.path("bytes").asInt()).isEqualTo(2 * MIB);
    assertThat(r.path("bytesAfterFin").asLong()).isPositive();
  }

  @Test
  void javaRunsPerfAgainstJsAndJsAgainstJava() throws Exception {
    javaDialsJs();
    PerfService.Result r = java.perf().run(jsId, 16 * MIB, 16 * MIB);
    assertThat(r.downloaded()).isEqualTo(16 * MIB);
    JsonNode back = js.perf(java.host().peerId().toBase58(), 16 * MIB, 16 * MIB);
    assertThat(back.path("download").asLong()).isEqualTo(16 * MIB);
  }

  @Test
  void aJsPeerWithASecp256k1IdentityConnectsBothWays() throws Exception {
    try (JsPeer k1 = JsPeer.start("--listen", "/ip4/127.0.0.1/tcp/0", "--key-type", "secp256k1")) {
      PeerId k1Id = PeerId.parse(k1.peerId());
      assertThat(k1.peerId()).startsWith("16Uiu2");
      Connection c = java.host().dial(Multiaddr.parse(k1.addr()));
      assertThat(c.remotePeer()).isEqualTo(k1Id);
      assertThat(java.ping().ping(k1Id)).isPositive();
      c.close();
      Await.until(() -> !java.host().isConnected(k1Id), "closed");
      k1.dial(javaAddr());
      assertThat(k1.ping(java.host().peerId().toBase58(), 1).path("rtts")).hasSize(1);
    }
  }

  private boolean echoThrough(PeerId peer, int size, long seed) throws Exception {
    try (Stream s = java.host().newStream(peer, ECHO)) {
      return Echo.roundTrip(s, size, seed);
    }
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}
