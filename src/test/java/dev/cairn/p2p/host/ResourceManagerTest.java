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
}
