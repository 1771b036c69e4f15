package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.owner.RecordCopy;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.ping.PingService;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The host's budgets and connection policy against crafted peers, over real sockets on 127.0.0.x
 * (each peer listens on its own loopback address and dials from it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResourceHostTest {
  private static final long MIB = 1024 * 1024;

  @RegisterExtension final TestNet net = TestNet.tcp();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  /** A host listening on 127.0.0.{@code n} (a free port) with {@code tweak} applied. */
  private Libp2p hostAt(int n, java.util.function.UnaryOperator<HostConfig> tweak)
      throws IOException {
    return net.host(
        c ->
            tweak.apply(
                RecordCopy.of(c)
                    .set(
                        "listenAddresses", List.of(Multiaddr.parse("/ip4/127.0.0." + n + "/tcp/0")))
                    .build()));
  }

  private static InetAddress ipOf(Multiaddr a) {
    return a.toTcpSocketAddress().getAddress();
  }

  @Test
  void dialsFromTheAddressItListensOn() throws Exception {
    Libp2p a = hostAt(2, c -> c);
    Libp2p b = hostAt(3, c -> c);
    Connection c = a.host().dial(b.host().fullAddress().orElseThrow());
    assertThat(ipOf(c.localAddress())).isEqualTo(InetAddress.getByName("127.0.0.2"));
    Await.until(() -> b.host().isConnected(a.host().peerId()), "b registers a");
    Connection atB = b.host().connections(a.host().peerId()).getFirst();
    assertThat(ipOf(atB.remoteAddress())).isEqualTo(InetAddress.getByName("127.0.0.2"));
  }

  @Test
  void aFullInboundEvictsTheLowestStandingThenNewestInboundPeerButNeverAnOutboundOne()
      throws Exception {
    Libp2p victim = hostAt(10, c -> c.withLimits(new ConnectionLimits(2, 16, 1, 100)));
    Libp2p low = hostAt(11, c -> c);
    Libp2p older = hostAt(12, c -> c);
    Libp2p dialled = hostAt(13, c -> c);
    low.host().dial(victim.host().fullAddress().orElseThrow());
    older.host().dial(victim.host().fullAddress().orElseThrow());
    victim.host().dial(dialled.host().fullAddress().orElseThrow()); // outbound: not a candidate
    Await.until(() -> victim.host().connections().size() == 3, "three peers");
    victim.host().penalize(low.host().peerId(), 30, "test: a misbehaving peer");
    // The outbound peer stands even lower, and still is not a candidate: we chose it.
    victim.host().penalize(dialled.host().peerId(), 50, "test: a worse peer we dialled");
    Await.until(
        () ->
            victim.host().standing(low.host().peerId()).points() < 0
                && victim.host().standing(dialled.host().peerId()).points() < 0,
        "standings recorded");

    Libp2p first = hostAt(14, c -> c);
    dialEvicts(first, victim, low, "lowest standing evicted", older, dialled);

    // Equal standing: the newest inbound goes (first), the older one stays.
    Libp2p second = hostAt(15, c -> c);
    dialEvicts(second, victim, first, "newest evicted", older, dialled);
  }

  /**
   * {@code newcomer} dials the full {@code victim} and is admitted; {@code evicted} goes, every one
   * of {@code kept} stays connected.
   */
  private static void dialEvicts(
      Libp2p newcomer, Libp2p victim, Libp2p evicted, String why, Libp2p... kept) throws Exception {
    newcomer.host().dial(victim.host().fullAddress().orElseThrow());
    Await.until(() -> victim.host().isConnected(newcomer.host().peerId()), "newcomer admitted");
    Await.until(() -> !victim.host().isConnected(evicted.host().peerId()), why);
    for (Libp2p k : kept) {
      assertThat(victim.host().isConnected(k.host().peerId())).isTrue();
    }
  }

  @Test
  void inboundConnectionsOlderThanTheProtectedAgeAreNeverEvicted() throws Exception {
    Libp2p victim =
        hostAt(
            20,
            c ->
                c.withLimits(
                    new ConnectionLimits(1, 16, 1, 100).withEvictionProtectedAge(Duration.ZERO)));
    Libp2p settled = hostAt(21, c -> c);
    settled.host().dial(victim.host().fullAddress().orElseThrow());
    Await.until(() -> victim.host().isConnected(settled.host().peerId()), "settled");
    Libp2p newcomer = hostAt(22, c -> c);
    assertThatThrownBy(() -> newcomer.host().dial(victim.host().fullAddress().orElseThrow()))
        .isInstanceOf(IOException.class);
    assertThat(victim.host().isConnected(settled.host().peerId())).isTrue();
    // Inbound full does not touch our own outbound slots.
    for (int i = 0; i < ConnectionLimits.MIN_OUTBOUND; i++) {
      Libp2p out = hostAt(30 + i, c -> c);
      assertThat(victim.host().dial(out.host().fullAddress().orElseThrow()).isOpen()).isTrue();
    }
    assertThatThrownBy(() -> new ConnectionLimits(64, 4, 1, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPeerThatOpensManyStreamsAndNeverReadsIsHeldWithinItsBudget() throws Exception {
    long peerBudget = 2 * MIB; // eight initial windows
    Libp2p server =
        hostAt(
            40, c -> c.withResources(ResourceLimits.defaults().withMemory(16 * MIB, peerBudget)));
    Libp2p attacker = hostAt(41, c -> c);
    Libp2p honest = hostAt(42, c -> c);
    attacker.host().dial(server.host().fullAddress().orElseThrow());
    // Identify's streams each hold a window from the same budget while they run: let them finish,
    // or the flood meets a budget they still share and stops short of it once they close.
    attacker.identify().awaitIdentify(server.host().peerId(), 10_000);
    server.identify().awaitIdentify(attacker.host().peerId(), 10_000);
    Await.until(
        () -> server.host().resources().peerUsage(attacker.host().peerId()).bytes() == 0,
        "identify's windows released");
    // The attack: 64 ping streams, each written to as fast as the server's window allows, never
    // reading a pong. The server's ping handler echoes until the attacker's window is full, then
    // stops reading, so its receive window fills too: 256 KiB held per stream.
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    byte[] pings = new byte[64 * 1024];
    for (int i = 0; i < 64; i++) {
      threads.execute(
          () -> {
            Stream s;
            try {
              s = attacker.host().newStream(server.host().peerId(), PingService.PROTOCOL_ID);
              opened.incrementAndGet();
            } catch (IOException e) {
              refused.incrementAndGet();
              return;
            }
            try {
              for (int k = 0; k < 64; k++) {
                s.out().write(pings);
              }
            } catch (IOException e) {
              // the send window stayed shut: the server holds no more for us
            }
          });
    }
    Await.until(() -> opened.get() + refused.get() == 64, Duration.ofSeconds(30), "64 attempts");
    AtomicLong peak = new AtomicLong();
    Await.until(
        () -> {
          long held = server.host().resources().peerUsage(attacker.host().peerId()).bytes();
          peak.accumulateAndGet(held, Math::max);
          return held >= peerBudget - 256 * 1024;
        },
        Duration.ofSeconds(20),
        "the attacker uses its budget");
    assertThat(refused.get()).as("streams beyond the budget are refused").isPositive();
    assertThat(opened.get()).isLessThanOrEqualTo((int) (peerBudget / (256 * 1024)));
    assertThat(server.host().resources().snapshot().peakBytes()).isLessThanOrEqualTo(16 * MIB);
    assertThat(peak.get()).isLessThanOrEqualTo(peerBudget);

    // An honest peer is served meanwhile.
    honest.host().dial(server.host().fullAddress().orElseThrow());
    assertThat(honest.ping().ping(server.host().peerId())).isPositive();

    attacker.host().disconnect(server.host().peerId());
    Await.until(
        () -> server.host().resources().peerUsage(attacker.host().peerId()).bytes() == 0,
        "everything released when the attacker leaves");
    List<Connection> left = new ArrayList<>(server.host().connections());
    assertThat(left).extracting(Connection::remotePeer).containsOnly(honest.host().peerId());
  }
}
