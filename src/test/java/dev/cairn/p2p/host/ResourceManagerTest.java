package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ResourceManagerTest {
  private static final int WINDOW = 256 * 1024;
  private static final ResourceManager.Usage NONE = new ResourceManager.Usage(0, 0);

  private static PeerId peer() {
    return PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
  }

  @Test
  void aReservationPastAnyScopeIsRefusedWholeAndChargesNothing() {
    ResourceManager rm = new ResourceManager(ResourceLimits.defaults().withMemory(1000, 600));
    PeerId a = peer();
    PeerId b = peer();
    ResourceManager.Reservation ra = rm.reserve(a, "/q", 500);
    assertThat(ra).isNotNull();
    assertThat(rm.reserve(a, "/q", 101)).as("over the peer's 600").isNull();
    assertThat(ra.reserve(101)).isFalse();
    assertThat(ra.reserve(100)).isTrue();
    ResourceManager.Reservation rb = rm.reserve(b, "/q", 400);
    assertThat(rb).as("b has its own budget; the system has 400 left").isNotNull();
    assertThat(rb.reserve(1)).as("over the system's 1000").isFalse();
    assertThat(rm.peerUsage(a)).isEqualTo(new ResourceManager.Usage(600, 0));
    assertThat(rm.snapshot().system().bytes()).isEqualTo(1000);
    assertThat(rm.snapshot().refused()).isEqualTo(3);
    ra.release(100);
    assertThat(rb.reserve(100)).isTrue();
    ra.close();
    ra.close(); // idempotent
    rb.close();
    assertThat(rm.snapshot().system()).isEqualTo(NONE);
    assertThat(rm.snapshot().peers()).isZero();
    assertThat(rm.snapshot().protocols()).isEmpty();
  }

  @Test
  void streamCountsPerPeerAndPerProtocolRefuseNewStreamsAndCloseReleasesThem() {
    ResourceManager rm = new ResourceManager(ResourceLimits.defaults().withStreams(100, 3, 100, 2));
    PeerId a = peer();
    ResourceManager.ConnectionScope conn = rm.openConnection(a);
    ResourceManager.StreamScope s1 = conn.openStream(true, WINDOW);
    ResourceManager.StreamScope s2 = conn.openStream(false, WINDOW);
    ResourceManager.StreamScope s3 = conn.openStream(true, WINDOW);
    assertThat(conn.openStream(true, WINDOW)).as("a fourth stream with the peer").isNull();
    assertThat(s1.setProtocol("/p")).isTrue();
    assertThat(s2.setProtocol("/p")).isTrue();
    assertThat(s3.setProtocol("/p")).as("a third /p stream with the peer").isFalse();
    assertThat(rm.snapshot().protocols().get("/p"))
        .isEqualTo(new ResourceManager.Usage(2L * WINDOW, 2));
    assertThat(rm.peerUsage(a)).isEqualTo(new ResourceManager.Usage(3L * WINDOW, 3));
    s1.close();
    assertThat(s3.setProtocol("/p")).isTrue();
    s2.close();
    s3.close();
    s3.close();
    conn.close();
    ResourceManager.Snapshot after = rm.snapshot();
    assertThat(after.system()).isEqualTo(NONE);
    assertThat(after.protocols()).isEmpty();
    assertThat(after.peers()).isZero();
    assertThat(after.connections()).isZero();
  }

  @Test
  void lowPriorityGrowthLeavesAQuarterOfEverySharedBudgetForHighPriority() {
    long w = WINDOW;
    // system 32 windows, peer and connection 8, one stream at most 4, protocol 8.
    ResourceManager rm =
        new ResourceManager(
            new ResourceLimits(32 * w, 8 * w, 8 * w, 4 * w, 8 * w, 100, 100, 100, 100));
    PeerId a = peer();
    ResourceManager.ConnectionScope conn = rm.openConnection(a);
    ResourceManager.StreamScope s1 = conn.openStream(true, WINDOW);
    assertThat(s1.grow(3 * w)).as("its own scope full: nobody else draws on it").isTrue();
    ResourceManager.StreamScope s2 = conn.openStream(true, WINDOW);
    assertThat(s2.grow(w)).as("the peer at 6 of 8 windows").isTrue();
    assertThat(s2.grow(1)).as("past three quarters of the peer's budget").isFalse();
    assertThat(rm.peerUsage(a).bytes()).isEqualTo(6 * w);
    ResourceManager.StreamScope s3 = conn.openStream(false, WINDOW);
    ResourceManager.StreamScope s4 = conn.openStream(true, WINDOW);
    assertThat(s3).as("an initial window may use the last quarter").isNotNull();
    assertThat(s4).isNotNull();
    assertThat(conn.openStream(true, WINDOW)).as("but not pass the budget").isNull();
    assertThat(rm.peerUsage(a)).isEqualTo(new ResourceManager.Usage(8 * w, 4));

    // A buffer reservation at low priority is held back by the protocol and system budgets too.
    PeerId b = peer();
    ResourceManager.Reservation r = rm.reserve(b, "/q", 0);
    assertThat(r.reserve(6 * w, ResourceManager.Priority.LOW)).as("protocol at 3/4").isTrue();
    assertThat(r.reserve(1, ResourceManager.Priority.LOW)).isFalse();
    assertThat(r.reserve(2 * w)).as("high priority: the whole protocol budget").isTrue();
    assertThat(rm.snapshot().refused()).isEqualTo(3);
    r.close();
    for (ResourceManager.StreamScope s : java.util.List.of(s1, s2, s3, s4)) {
      s.close();
    }
    conn.close();
    assertThat(rm.snapshot().system()).isEqualTo(NONE);
    assertThat(rm.snapshot().peers()).isZero();
  }
}
