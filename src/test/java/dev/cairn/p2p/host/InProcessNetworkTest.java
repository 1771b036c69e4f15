package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several full-stack hosts in one JVM over the in-memory transport. */
@Timeout(60)
class InProcessNetworkTest {
  @RegisterExtension final TestNet net = TestNet.memory();

  private Libp2p host(long seed) throws Exception {
    Libp2p p = net.host(seed);
    p.host().setHandler(HostTest.ECHO, dev.cairn.testing.Echo::serve);
    return p;
  }

  @Test
  void tenHostsInAFullMeshPingAndEchoEachOther() throws Exception {
    List<Libp2p> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(host(i));
    }
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        all.get(i).host().dial(all.get(j).host().fullAddress().orElseThrow());
      }
    }
    for (Libp2p h : all) {
      Await.until(() -> h.host().connections().size() == 9, "full mesh at " + h.host().peerId());
    }
    for (int i = 0; i < all.size(); i++) {
      Libp2p from = all.get(i);
      Libp2p to = all.get((i + 3) % all.size());
      assertThat(from.ping().ping(to.host().peerId())).isPositive();
      assertThat(HostTest.echoRoundTrip(from, to.host().peerId(), 100_000, i)).isTrue();
      assertThat(from.identify().awaitIdentify(to.host().peerId(), 5000).agentVersion())
          .startsWith("cairn/");
    }
  }

  @Test
  void withoutEarlyMuxerNegotiationTheMuxerIsSelectedByMultistream() throws Exception {
    Libp2p a = host(1);
    Libp2p b = net.host(2, c -> c.withEarlyMuxerNegotiation(false));
    Connection c = a.host().dial(b.host().fullAddress().orElseThrow());
    assertThat(c.muxer()).isEqualTo(Libp2pHost.YAMUX);
    assertThat(a.ping().ping(b.host().peerId())).isPositive();
  }
}
