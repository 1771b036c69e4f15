package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-IP inbound caps and IP bans, over real TCP on 127.0.0.x (loopback not exempt here). */
@Timeout(60)
class IpLimitsTest {
  private final List<Libp2p> hosts = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing
      }
    }
    hosts.forEach(Libp2p::close);
  }

  Libp2p newHost(ConnectionLimits limits) throws IOException {
    Libp2p p =
        Libp2p.create(
            HostConfig.defaults(
                    Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .withLimits(limits)
                .withHandshakeTimeout(Duration.ofSeconds(30)));
    hosts.add(p);
    return p;
  }

  @Test
  void fiveThousandConnectionAttemptsFromOneIpLeaveRoomForOtherAddresses() throws Exception {
    Libp2p victim = newHost(new ConnectionLimits(16, 16, 2, 100).withPerIp(8, 4, true));
    InetSocketAddress target = victim.host().listenAddresses().getFirst().toTcpSocketAddress();
    // From 127.0.0.2: 5,000 TCP connections that never start a handshake; the first 50 stay open
    // (each would hold an inbound slot until the handshake timeout), the rest close at once.
    for (int i = 0; i < 5_000; i++) {
      Socket s = new Socket();
      s.bind(new InetSocketAddress("127.0.0.2", 0));
      s.connect(target, 5_000);
      if (i < 50) {
        sockets.add(s);
      } else {
        s.close();
      }
    }
    // An honest peer from 127.0.0.1 still gets in, at the first try.
    Libp2p honest = newHost(ConnectionLimits.defaults());
    Connection c = honest.host().dial(victim.host().fullAddress().orElseThrow());
    assertThat(c.isOpen()).isTrue();
    Await.until(() -> victim.host().isConnected(honest.host().peerId()), "the victim registers it");
  }

  @Test
  void newAddressesInAFullSubnetAreRefusedWhileOtherSubnetsGetIn() throws Exception {
    Libp2p victim =
        newHost(new ConnectionLimits(64, 16, 2, 100).withPerIp(8, 8, true).withPerSubnet(12));
    InetSocketAddress target = victim.host().listenAddresses().getFirst().toTcpSocketAddress();
    // 127.0.1.0/24 fills up: 8 silent connections from .2 (its per-IP cap), then 8 from .3, of
    // which the first 4 fit in the subnet's 12 and the last 4 are closed at accept.
    List<Socket> fromThree = new ArrayList<>();
    for (String ip : List.of("127.0.1.2", "127.0.1.3")) {
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(ip, 0));
        s.connect(target, 5_000);
        sockets.add(s);
        if (ip.endsWith(".3")) {
          fromThree.add(s);
        }
      }
    }
    for (Socket s : fromThree.subList(4, 8)) {
      assertThat(closedByPeer(s)).as("a fresh address in a full subnet is refused").isTrue();
    }
    // A peer from another subnet (127.0.0.1) still gets in.
    Libp2p honest = newHost(ConnectionLimits.defaults());
    assertThat(honest.host().dial(victim.host().fullAddress().orElseThrow()).isOpen()).isTrue();
    Await.until(() -> victim.host().isConnected(honest.host().peerId()), "the victim registers it");
  }

  /** Whether the other side closed {@code s} (end of stream or reset) within 10 s. */
  private static boolean closedByPeer(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** {@code bad} connects to {@code victim}, which bans it for an hour and drops it. */
  private static void connectAndBan(Libp2p victim, Libp2p bad) throws Exception {
    bad.host().dial(victim.host().fullAddress().orElseThrow());
    Await.until(() -> victim.host().isConnected(bad.host().peerId()), "victim sees bad");
    victim.host().ban(bad.host().peerId(), Duration.ofHours(1), "test");
    Await.until(() -> !victim.host().isConnected(bad.host().peerId()), "bad is dropped");
  }

  @Test
  void anIpBanHoldsAcrossNewPeerIds() throws Exception {
    Libp2p victim = newHost(ConnectionLimits.defaults().withPerIp(8, 4, true));
    Libp2p bad = newHost(ConnectionLimits.defaults());
    connectAndBan(victim, bad);

    Libp2p sameMachineNewId = newHost(ConnectionLimits.defaults());
    assertThatThrownBy(
            () -> sameMachineNewId.host().dial(victim.host().fullAddress().orElseThrow()))
        .isInstanceOf(IOException.class);
    assertThat(victim.host().isConnected(sameMachineNewId.host().peerId())).isFalse();
  }

  @Test
  void loopbackIsExemptByDefault() throws Exception {
    Libp2p victim = newHost(ConnectionLimits.defaults());
    Libp2p bad = newHost(ConnectionLimits.defaults());
    connectAndBan(victim, bad);
    Libp2p other = newHost(ConnectionLimits.defaults());
    assertThat(other.host().dial(victim.host().fullAddress().orElseThrow()).isOpen()).isTrue();
  }
}
