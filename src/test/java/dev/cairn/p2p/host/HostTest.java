package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.identify.IdentifyMessage;
import dev.cairn.p2p.identify.IdentifyService;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.perf.PerfService;
import dev.cairn.p2p.ping.PingService;
import dev.cairn.testing.Await;
import dev.cairn.testing.Echo;
import dev.cairn.testing.TestNet;
import dev.cairn.testing.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two or three hosts over real TCP on 127.0.0.1. */
@Timeout(60)
class HostTest {
  static final String ECHO = Echo.PROTOCOL_ID;
  @RegisterExtension final TestNet net = TestNet.tcp();

  Libp2p newHost() throws IOException {
    return newHost(ConnectionLimits.defaults());
  }

  Libp2p newHost(ConnectionLimits limits) throws IOException {
    Libp2p p = net.host(c -> c.withLimits(limits));
    p.host().setHandler(ECHO, Echo::serve);
    return p;
  }

  /** A new host (as {@link #newHost()}) that {@code dialler} has dialled. */
  Libp2p dialledBy(Libp2p dialler) throws IOException {
    Libp2p p = newHost();
    dialler.host().dial(p.host().fullAddress().orElseThrow());
    return p;
  }

  @Test
  void dialsPingsAndIdentifiesBothWays() throws Exception {
    Libp2p a = newHost();
    Libp2p b = newHost();
    Connection c = a.host().dial(b.host().fullAddress().orElseThrow());
    assertThat(c.remotePeer()).isEqualTo(b.host().peerId());
    assertThat(c.direction()).isEqualTo(Connection.Direction.OUTBOUND);
    assertThat(a.ping().ping(b.host().peerId(), 3)).hasSize(3);
    assertThat(b.ping().ping(a.host().peerId())).isPositive();

    IdentifyMessage aboutB = a.identify().awaitIdentify(b.host().peerId(), 5000);
    assertThat(aboutB.protocols())
        .contains(
            IdentifyService.PROTOCOL_ID, PingService.PROTOCOL_ID, PerfService.PROTOCOL_ID, ECHO);
    assertThat(aboutB.listenAddrs()).containsAll(b.host().listenAddresses());
    assertThat(aboutB.publicKey()).isEqualTo(b.host().identity().publicKey());
    IdentifyMessage aboutA = b.identify().awaitIdentify(a.host().peerId(), 5000);
    assertThat(aboutA.observedAddr()).isNotNull();
    assertThat(aboutA.observedAddr()).isEqualTo(b.host().listenAddresses().getFirst());
    awaitProtocolsOf(b, a, protocols -> !protocols.isEmpty(), "peer store learns b's protocols");
  }

  @Test
  void carriesManyConcurrentStreamsWithIntactData() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        int seed = i;
        results.add(exec.submit(() -> echoRoundTrip(a, b.host().peerId(), 256 * 1024, seed)));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  /** Waits until {@code at}'s peer store holds protocols of {@code peer} that pass {@code test}. */
  private static void awaitProtocolsOf(
      Libp2p peer, Libp2p at, Predicate<List<String>> test, String what) {
    Await.until(
        () ->
            at.host()
                .peerStore()
                .get(peer.host().peerId())
                .map(p -> test.test(p.protocols()))
                .orElse(false),
        what);
  }

  static boolean echoRoundTrip(Libp2p from, PeerId to, int size, long seed) throws Exception {
    try (Stream s = from.host().newStream(to, ECHO)) {
      return Echo.roundTrip(s, size, seed);
    }
  }

  @Test
  void failsWhenTheRemoteIsNotTheDialledPeer() throws Exception {
    Libp2p a = newHost();
    Libp2p b = newHost();
    PeerId someoneElse = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
    Multiaddr wrong = b.host().listenAddresses().getFirst().withPeerId(someoneElse);
    assertThatThrownBy(() -> a.host().dial(wrong)).isInstanceOf(IOException.class);
    assertThat(a.host().connections()).isEmpty();
    // b still serves others
    assertThat(a.host().dial(b.host().fullAddress().orElseThrow()).isOpen()).isTrue();
  }

  @Test
  void survivesGarbageInsteadOfMultistream() throws Exception {
    Libp2p b = newHost();
    InetSocketAddress addr = b.host().listenAddresses().getFirst().toTcpSocketAddress();
    for (byte[] garbage :
        new byte[][] {
          "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(10).getBytes(),
          new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
          new byte[] {0x13, '/', 'm', 'u', 'l'},
        }) {
      try (Socket s = new Socket()) {
        s.connect(addr, 2000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write(garbage);
        out.flush();
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        // the host answers with its header at most, then closes: read to EOF
        assertThat(in.readNBytes(4096).length).isLessThan(100);
      }
    }
    Libp2p a = newHost();
    a.host().dial(b.host().fullAddress().orElseThrow());
    assertThat(a.ping().ping(b.host().peerId())).isPositive();
    // the bad connections left no upgrade or muxer threads behind: only a's connection has any
    // (each side names its reader after the other's peer id; other tests' hosts do not count)
    String[] readers = {
      "yamux-read-" + a.host().peerId().shortString(),
      "yamux-read-" + b.host().peerId().shortString()
    };
    Await.until(
        () -> Threads.named(readers).size() == 2, "only the good connection's readers remain");
  }

  @Test
  void closesAHandshakeThatStalls() throws Exception {
    Libp2p b = net.host(c -> c.withHandshakeTimeout(Duration.ofMillis(300)));
    InetSocketAddress addr = b.host().listenAddresses().getFirst().toTcpSocketAddress();
    try (Socket s = new Socket()) {
      s.connect(addr, 2000);
      s.setSoTimeout(5000);
      long start = System.nanoTime();
      s.getInputStream().readAllBytes(); // the host's header, then EOF when the deadline fires
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void enforcesThePerPeerAndInboundLimits() throws Exception {
    // Every connection protected from eviction: a full inbound refuses newcomers.
    Libp2p b = newHost(new ConnectionLimits(1, 16, 1, 100).withEvictionProtectedAge(Duration.ZERO));
    Libp2p a = newHost();
    Libp2p c = newHost();
    a.host().dial(b.host().fullAddress().orElseThrow());
    Await.until(() -> b.host().connections().size() == 1, "b accepted a");
    assertThatThrownBy(() -> c.host().dial(b.host().fullAddress().orElseThrow()))
        .isInstanceOf(IOException.class);
    a.host().disconnect(b.host().peerId());
    Await.until(() -> b.host().connections().isEmpty(), "b sees a leave");
    Await.until(
        () -> {
          try {
            return c.host().dial(b.host().fullAddress().orElseThrow()).isOpen();
          } catch (IOException e) {
            return false;
          }
        },
        "the freed slot is reusable");
  }

  @Test
  void pushesIdentifyWhenProtocolsChange() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    a.identify().awaitIdentify(b.host().peerId(), 5000);
    // b pushes to the connections its connection manager has registered; wait until a's is one
    Await.until(() -> b.host().isConnected(a.host().peerId()), "b has registered a's connection");
    b.host().setHandler("/cairn/test/late/1.0.0", s -> {});
    awaitProtocolsOf(
        b,
        a,
        protocols -> protocols.contains("/cairn/test/late/1.0.0"),
        "a learns b's new protocol by identify push");
  }

  @Test
  void reportsAPeersStandingAndHowOftenItWasPenalised() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    PeerId peer = b.host().peerId();
    assertThat(a.host().standing(peer)).isEqualTo(new PeerStanding(0, 0));
    a.host().penalize(peer, 15, "test");
    a.host().penalize(peer, 10, "test again");
    Await.until(() -> a.host().standing(peer).penalties() == 2, "both penalties counted");
    assertThat(a.host().standing(peer).points()).isEqualTo(-25);
  }

  @Test
  void bansAPeerWhoseStandingFallsToTheThreshold() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    a.host().penalize(b.host().peerId(), 60, "test");
    assertThat(a.host().isBanned(b.host().peerId())).isFalse();
    a.host().penalize(b.host().peerId(), 60, "test again");
    Await.until(() -> a.host().isBanned(b.host().peerId()), "b banned");
    Await.until(() -> !a.host().isConnected(b.host().peerId()), "b disconnected");
    assertThatThrownBy(() -> a.host().dial(b.host().fullAddress().orElseThrow()))
        .hasMessageContaining("banned");
    // b may still complete a handshake with a, but a drops the connection at once
    try {
      b.host().dial(a.host().fullAddress().orElseThrow());
    } catch (IOException e) {
      // refused during registration: fine
    }
    Await.until(() -> !b.host().isConnected(a.host().peerId()), "a drops b's new connection");
    assertThat(a.host().isConnected(b.host().peerId())).isFalse();
  }

  @Test
  void aPeerThatKeepsBreakingAProtocolIsBanned() throws Exception {
    Libp2p a = newHost();
    Libp2p b = newHost();
    a.host()
        .setHandler(
            "/cairn/test/strict/1.0.0",
            s -> {
              throw dev.cairn.p2p.ProtocolException.stream(
                  dev.cairn.p2p.ProtocolException.Reason.MALFORMED, "bad request");
            });
    b.host().dial(a.host().fullAddress().orElseThrow());
    for (int i = 0; i < 10 && !a.host().isBanned(b.host().peerId()); i++) {
      try (Stream s = b.host().newStream(a.host().peerId(), "/cairn/test/strict/1.0.0")) {
        s.in().read();
      } catch (IOException e) {
        // reset by a, or the connection is already gone
      }
    }
    Await.until(() -> a.host().isBanned(b.host().peerId()), "b banned after repeated violations");
  }

  @Test
  void reportsConnectAndDisconnectEvents() throws Exception {
    Libp2p a = newHost();
    Libp2p b = newHost();
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connected(Connection c) {
                events.add("up " + c.remotePeer());
              }

              @Override
              public void disconnected(Connection c) {
                events.add("down " + c.remotePeer());
              }
            });
    Connection c = a.host().dial(b.host().fullAddress().orElseThrow());
    Await.until(() -> events.size() == 1, "connected event");
    c.close();
    Await.until(() -> events.size() == 2, "disconnected event");
    assertThat(events).containsExactly("up " + a.host().peerId(), "down " + a.host().peerId());
  }

  @Test
  void runsPerfBothWays() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    PerfService.Result r = a.perf().run(b.host().peerId(), 4 << 20, 8 << 20);
    assertThat(r.uploaded()).isEqualTo(4 << 20);
    assertThat(r.downloaded()).isEqualTo(8 << 20);
  }

  @Test
  void refusesUnknownProtocolsOnAStreamButKeepsTheConnection() throws Exception {
    Libp2p a = newHost();
    Libp2p b = dialledBy(a);
    assertThatThrownBy(() -> a.host().newStream(b.host().peerId(), "/nope/1.0.0"))
        .isInstanceOf(StreamNegotiationException.class);
    assertThat(a.ping().ping(b.host().peerId())).isPositive();
  }

  /**
   * Name prefixes of the threads that {@code h} starts, platform and virtual: its executor, timer,
   * connection manager and accept loop, and the muxer and identify threads of connections to it
   * (those are named after the remote peer, so a connection between two of the given hosts is
   * covered on both sides). Other hosts in this JVM, from other tests, do not match.
   */
  static List<String> threadPrefixes(Libp2p h) {
    String id = h.host().peerId().shortString();
    List<String> out = new ArrayList<>();
    out.addAll(List.of("host-" + id + "-", "host-timer-" + id, "conn-manager-" + id));
    for (String kind : List.of("read", "ctl", "stream", "close")) {
      out.add("yamux-" + kind + "-" + id);
    }
    out.addAll(List.of("identify-" + id, "identify-push-" + id));
    for (Multiaddr listen : h.host().listenAddresses()) {
      out.add("accept-" + listen);
    }
    return out;
  }

  @Test
  void leavesNoThreadsBehindAfterClose() throws Exception {
    List<String> ours = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      Libp2p a = newHost();
      Libp2p b = newHost();
      ours.addAll(threadPrefixes(a));
      ours.addAll(threadPrefixes(b));
      a.host().dial(b.host().fullAddress().orElseThrow());
      a.ping().ping(b.host().peerId());
      assertThat(Threads.named(ours.toArray(String[]::new)))
          .as("the prefixes name the threads of these hosts")
          .anyMatch(t -> t.startsWith("host-timer-"))
          .anyMatch(t -> t.startsWith("yamux-read-"))
          .anyMatch(t -> t.startsWith("conn-manager-"))
          .anyMatch(t -> t.startsWith("accept-"));
      a.close();
      b.close();
      net.hosts().clear();
      Await.until(() -> a.host().terminated() && b.host().terminated(), "host threads end");
    }
    // only the threads of the hosts made here count: other tests' hosts may still be closing
    Await.until(
        () -> Threads.named(ours.toArray(String[]::new)).isEmpty(),
        "no host, timer, muxer or identify thread (virtual or platform) of these hosts is left");
  }
}
