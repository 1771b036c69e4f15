package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.host.ProtocolHandler;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.kad.KadMessage.Type;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers that serve the kad protocol badly, and bad requests to our server. */
@Timeout(60)
class KadBadPeerTest {
  private static final String PROTOCOL = KadNetworkTest.PROTOCOL;
  private static final Multiaddr A = Multiaddr.parse("/ip4/127.0.0.1/tcp/9");

  private final TestNet net = TestNet.memory(32 * 1024);
  private final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void close() {
    never.countDown();
    net.close();
  }

  private Libp2p host(long seed) throws Exception {
    return net.host(seed);
  }

  private Libp2p bad(long seed, ProtocolHandler handler) throws Exception {
    Libp2p p = host(seed);
    p.host().setHandler(PROTOCOL, handler);
    return p;
  }

  private static void readRequest(Stream s) throws Exception {
    KadCodec.read(s.in(), 20);
  }

  @Test
  void garbageHugeAndSilentPeersCostBoundedTimeAndAreEvicted() throws Exception {
    KadConfig config =
        KadNetworkTest.testConfig()
            .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5))
            .with(KadConfig::targetConnections, 0);
    KadDht honest = KadDht.start(host(1), config, List.of());
    net.own(honest);
    Libp2p garbage =
        bad(
            2,
            s -> {
              readRequest(s);
              byte[] junk = new byte[200];
              new Random(1).nextBytes(junk);
              Varint.write(junk.length, s.out());
              s.out().write(junk);
              s.out().flush();
            });
    List<PeerId> forty = KadTestSupport.peers(40, 77);
    List<KadPeer> many = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      many.add(new KadPeer(forty.get(i % 40), List.of(A)));
    }
    // encoded once here: encoding 3,000 peers inside the handler took longer than the 300 ms
    // request timeout on a loaded machine, so the answer counted as a timeout, not a violation
    byte[] hugeReply =
        KadCodec.encode(KadMessage.reply(Type.FIND_NODE, new byte[0], many, List.of()));
    Libp2p huge =
        bad(
            3,
            s -> {
              readRequest(s);
              Varint.write(hugeReply.length, s.out());
              s.out().write(hugeReply);
              s.out().flush();
            });
    Libp2p silent =
        bad(
            4,
            s -> {
              readRequest(s);
              never.await();
            });
    Libp2p oversized =
        bad(
            5,
            s -> {
              readRequest(s);
              Varint.write(KadCodec.MAX_MESSAGE_BYTES + 1L, s.out()); // a length we never read
              s.out().flush();
            });
    List<PeerId> offenders = new ArrayList<>();
    for (Libp2p b : List.of(garbage, huge, silent, oversized)) {
      honest.host().dial(b.host().fullAddress().orElseThrow());
      offenders.add(b.host().peerId());
    }
    Await.until(() -> honest.routingTableSize() == 4, "the bad peers enter the table (identify)");

    List<String> names = List.of("garbage", "huge", "silent", "oversized");
    // round 1: garbage, huge and oversized break the protocol and leave at once; silent times out
    long start = System.nanoTime();
    KadQuery.Result r = honest.lookup(new byte[] {1}, null);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.closest()).isEmpty();
    assertThat(r.failures()).isEqualTo(4);
    System.out.println(
        "kad bad peers left: "
            + honest.routingTable().stream().map(p -> names.get(offenders.indexOf(p))).toList());
    assertThat(ms).as("a lookup among bad peers").isLessThan(2_000);
    Await.until(
        () -> honest.routingTable().equals(List.of(silent.host().peerId())),
        Duration.ofSeconds(5),
        "only the silent peer is left");
    // round 2: the silent peer's second consecutive timeout evicts it too
    start = System.nanoTime();
    r = honest.lookup(new byte[] {2}, null);
    ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.failures()).isEqualTo(1);
    assertThat(ms).isBetween(250L, 2_000L);
    Await.until(() -> honest.routingTableSize() == 0, "every offender evicted");
    assertThat(offenders).hasSize(4);
  }

  @Test
  void serverAnswersFindNodeAndGetValueRefusesPutValueAndSurvivesGarbage() throws Exception {
    KadConfig config =
        KadNetworkTest.testConfig()
            .with(KadConfig::targetConnections, 0)
            .with(KadConfig::serverIdleTimeout, Duration.ofMillis(300));
    KadDht server = KadDht.start(host(10), config, List.of());
    net.own(server);
    List<KadDht> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      KadDht d =
          KadDht.start(host(20 + i), config, List.of(server.host().fullAddress().orElseThrow()));
      net.own(d);
      others.add(d);
    }
    Await.until(() -> server.routingTableSize() == 5, "server learns the five");
    Libp2p client = host(30);
    PeerId sid = server.host().peerId();
    client.host().dial(server.host().fullAddress().orElseThrow());

    try (Stream s = client.host().newStream(sid, PROTOCOL)) {
      KadCodec.write(s.out(), KadMessage.findNode(others.get(0).host().peerId().bytes()));
      KadMessage r = KadCodec.read(s.in(), 20);
      assertThat(r.type()).isEqualTo(Type.FIND_NODE);
      assertThat(r.closerPeers()).hasSize(5);
      assertThat(r.closerPeers().getFirst().id()).isEqualTo(others.get(0).host().peerId());
      assertThat(r.closerPeers().getFirst().addresses()).isNotEmpty();
      // the same stream serves further requests: our own id lists the server first
      KadCodec.write(s.out(), KadMessage.findNode(sid.bytes()));
      assertThat(KadCodec.read(s.in(), 20).closerPeers().getFirst().id()).isEqualTo(sid);
      KadCodec.write(
          s.out(),
          new KadMessage(Type.GET_VALUE, new byte[] {1, 2}, null, List.of(), List.of(), 0, 0));
      KadMessage g = KadCodec.read(s.in(), 20);
      assertThat(g.type()).isEqualTo(Type.GET_VALUE);
      assertThat(g.record()).isNull();
      assertThat(g.closerPeers()).isNotEmpty();
    }
    try (Stream s = client.host().newStream(sid, PROTOCOL)) {
      KadCodec.write(
          s.out(),
          new KadMessage(Type.PUT_VALUE, new byte[] {1}, null, List.of(), List.of(), 0, 0));
      assertThatThrownBy(() -> KadCodec.read(s.in(), 20)).isInstanceOf(IOException.class);
    }
    try (Stream s = client.host().newStream(sid, PROTOCOL)) {
      s.out().write(new byte[] {5, 1, 2, 3, 4, 5});
      s.out().flush();
      assertThatThrownBy(() -> KadCodec.read(s.in(), 20)).isInstanceOf(IOException.class);
    }
    long start = System.nanoTime();
    try (Stream s = client.host().newStream(sid, PROTOCOL)) {
      // idle: the server resets the stream after its idle timeout
      assertThatThrownBy(() -> s.in().read()).isInstanceOf(IOException.class);
    }
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(200L, 3_000L);
    // and the server still answers
    try (Stream s = client.host().newStream(sid, PROTOCOL)) {
      KadCodec.write(s.out(), KadMessage.findNode(new byte[] {9}));
      assertThat(KadCodec.read(s.in(), 20).closerPeers()).hasSize(5);
    }
  }

  @Test
  void clientModeDoesNotServeAndStaysOutOfTables() throws Exception {
    KadConfig config = KadNetworkTest.testConfig().with(KadConfig::targetConnections, 0);
    KadDht server = KadDht.start(host(40), config, List.of());
    net.own(server);
    KadDht client =
        KadDht.start(
            host(41),
            config.with(KadConfig::serverMode, false),
            List.of(server.host().fullAddress().orElseThrow()));
    net.own(client);
    Await.until(() -> client.routingTableSize() == 1, "the client tables the server");
    assertThat(client.host().protocols()).doesNotContain(PROTOCOL);
    assertThat(server.host().isConnected(client.host().peerId())).isTrue();
    server.libp2p().identify().awaitIdentify(client.host().peerId(), 5000);
    assertThat(server.routingTableSize()).isZero();
  }
}
