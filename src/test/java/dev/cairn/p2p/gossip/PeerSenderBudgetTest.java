package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.TestNet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A gossip queue to a peer that never reads is memory held on its behalf: the host's resource
 * manager bounds it, at low priority, before the queue's own byte bound does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerSenderBudgetTest {
  private static final long MIB = 1024 * 1024;
  private static final long PEER_BUDGET = 2 * MIB;
  private static final int RPC_DATA = 100 * 1024;

  @RegisterExtension final TestNet net = TestNet.memory();

  @Test
  void aQueueToAPeerThatNeverReadsStopsAtItsShareOfThePeersBudget() throws Exception {
    Libp2p us =
        net.host(c -> c.withResources(ResourceLimits.defaults().withMemory(16 * MIB, PEER_BUDGET)));
    Libp2p reader = net.host();
    CountDownLatch release = new CountDownLatch(1);
    reader.host().setHandler("/test/never-reads", s -> release.await());
    us.host().dial(reader.host().fullAddress().orElseThrow());
    PeerId peer = reader.host().peerId();
    Stream stream = us.host().newStream(peer, "/test/never-reads");
    ResourceManager resources = us.host().resources();
    ResourceManager.Reservation budget = resources.reserve(peer, stream.protocol(), 0);
    AtomicInteger closedByWriter = new AtomicInteger();
    long maxBytes = 8 * MIB; // the queue's own bound, four times the peer's whole budget
    PeerSender sender =
        new PeerSender(
            stream, 1024, maxBytes, 1 << 20, budget, (s, slow) -> closedByWriter.incrementAndGet());
    sender.start();
    try {
      int accepted = 0;
      long peak = 0;
      PeerSender.Offer last;
      while ((last = sender.offer(rpc(accepted), RPC_DATA + 64)) == PeerSender.Offer.QUEUED
          && accepted < 200) {
        accepted++;
        peak = Math.max(peak, resources.peerUsage(peer).bytes());
      }
      assertThat(last)
          .as("the budget refused before the queue's bound")
          .isEqualTo(PeerSender.Offer.NO_BUDGET);
      // Its queue (under 2 MiB) is short against its own 8 MiB bound: not the one to blame.
      assertThat(sender.slowAfter(last)).isFalse();
      assertThat(sender.slowAfter(PeerSender.Offer.FULL)).isTrue();
      assertThat(sender.queuedBytes()).isLessThan(maxBytes / 2);
      // Low priority: what the peer holds stays within three quarters of its budget, leaving
      // room for new streams' initial windows.
      assertThat(peak).isLessThanOrEqualTo(PEER_BUDGET - PEER_BUDGET / 4);
      assertThat(budget.held()).isEqualTo(sender.queuedBytes()).isPositive();
      // A new stream to the peer still opens (its initial window is high priority).
      us.host().newStream(peer, "/test/never-reads").reset();
    } finally {
      sender.close();
    }
    assertThat(budget.held()).as("closing the sender releases its queue").isZero();

    // With a bound of 4 MiB the same queue is a quarter of it: refused by the budget, it is slow.
    Stream again = us.host().newStream(peer, "/test/never-reads");
    PeerSender longQueue =
        new PeerSender(
            again,
            1024,
            4 * MIB,
            1 << 20,
            resources.reserve(peer, again.protocol(), 0),
            (s, slow) -> {});
    longQueue.start();
    try {
      PeerSender.Offer o;
      int i = 0;
      while ((o = longQueue.offer(rpc(i++), RPC_DATA + 64)) == PeerSender.Offer.QUEUED) {
        assertThat(i).isLessThan(200);
      }
      assertThat(o).isEqualTo(PeerSender.Offer.NO_BUDGET);
      assertThat(longQueue.queuedBytes()).isGreaterThanOrEqualTo(MIB);
      assertThat(longQueue.slowAfter(o)).isTrue();
    } finally {
      longQueue.close();
      release.countDown();
    }
    assertThat(closedByWriter.get()).isZero();
  }

  private static Rpc rpc(int i) {
    byte[] data = new byte[RPC_DATA];
    data[0] = (byte) i;
    return Rpc.ofMessage(new Rpc.Message(null, data, new byte[] {(byte) i}, "t", null, null));
  }
}
