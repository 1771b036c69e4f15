package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gossip router's bounds at {@code /metrics}: a crafted peer subscribes and never reads, so a
 * dev node's queue to it fills (shown in bytes), overflows (a drop, in RPCs and bytes) and the peer
 * is dropped (a slow peer); the queue's bytes then leave the gauge.
 */
@Timeout(120)
class GossipMetricsTest {
  static final String TOPIC = "/cairn/test/metrics-flood";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int MESSAGE = 512 * 1024;

  @TempDir Path tmp;
  @RegisterExtension final TestNet net = TestNet.tcp();

  /** A length-prefixed RPC holding one subscription, in the gossipsub protobuf by hand. */
  static byte[] subscribeRpc(String topic) throws Exception {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sub = new ByteArrayOutputStream();
    sub.write(new byte[] {0x08, 0x01, 0x12, (byte) t.length}); // subscribe = true, topicid
    sub.write(t);
    ByteArrayOutputStream rpc = new ByteArrayOutputStream();
    rpc.write(0x0a); // subscriptions
    rpc.write(sub.size());
    sub.writeTo(rpc);
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    Varint.write(rpc.size(), framed);
    rpc.writeTo(framed);
    return framed.toByteArray();
  }

  static double value(Node node, String series) {
    return NodeMetricsTest.value(node, series);
  }

  @Test
  void aPeerThatNeverReadsShowsItsQueuedBytesThenADropAndASlowPeer() throws Exception {
    try (Node node = DevNode.start(tmp.resolve("n"), null)) {
      Map<String, Double> start = NodeMetricsTest.scrape(node);
      for (String queue : new String[] {"outbound", "held", "validation", "mailbox"}) {
        for (String family :
            new String[] {
              "cairn_gossip_dropped_total",
              "cairn_gossip_dropped_bytes_total",
              "cairn_gossip_queued_bytes"
            }) {
          assertThat(start).containsEntry(family + "{queue=\"" + queue + "\"}", 0.0);
        }
      }
      for (String counter :
          new String[] {
            "cairn_gossip_slow_peers_total",
            "cairn_gossip_idontwant_sent_total",
            "cairn_gossip_idontwant_received_total",
            "cairn_gossip_idontwant_suppressed_total"
          }) {
        assertThat(start).containsEntry(counter, 0.0);
      }

      // The crafted peer: subscribes on its own stream and never reads the node's stream to it.
      Libp2p slow = net.host(950);
      PeerId slowId = slow.host().peerId();
      CountDownLatch release = new CountDownLatch(1);
      slow.host().setHandler("/meshsub/1.1.0", s -> release.await());
      try {
        slow.host().dial(node.p2p().host().fullAddress().orElseThrow());
        Stream out = slow.host().newStream(node.p2p().host().peerId(), "/meshsub/1.1.0");
        OutputStream o = out.out();
        o.write(subscribeRpc(TOPIC));
        o.flush();
        GossipRouter router = node.gossipRouter();
        Await.until(() -> router.topicPeers(TOPIC).contains(slowId), WAIT, "the peer subscribed");

        // Fill the queue past 4 MiB: its writer is stuck behind the peer's closed yamux window,
        // so the queue cannot drain while /metrics is read.
        int i = 0;
        while (router.stats().queuedBytes() < 4L << 20 && i < 200) {
          router.publish(TOPIC, message(i++)).get();
        }
        assertThat(router.stats().queueDropped()).isZero();
        double shown = value(node, "cairn_gossip_queued_bytes{queue=\"outbound\"}");
        // without publishes the queue can only shrink: what /metrics showed is at least what is
        // left now (and, the window being closed, nearly all of it)
        assertThat(shown)
            .isGreaterThanOrEqualTo(router.stats().queuedBytes())
            .isGreaterThan(1 << 20);

        // Past the queue's 8 MiB bound: the RPC is dropped and the peer with it.
        while (router.stats().queueDropped() == 0 && i < 200) {
          router.publish(TOPIC, message(i++)).get();
        }
        assertThat(value(node, "cairn_gossip_dropped_total{queue=\"outbound\"}"))
            .isEqualTo(router.stats().queueDropped())
            .isPositive();
        assertThat(value(node, "cairn_gossip_dropped_bytes_total{queue=\"outbound\"}"))
            .isGreaterThanOrEqualTo(MESSAGE);
        Await.until(
            () -> value(node, "cairn_gossip_slow_peers_total") == 1, WAIT, "the slow peer counted");
        Await.until(
            () -> value(node, "cairn_gossip_queued_bytes{queue=\"outbound\"}") == 0,
            WAIT,
            "the dropped peer's queue leaves the gauge");
        assertThat(value(node, "cairn_gossip_dropped_total{queue=\"mailbox\"}")).isZero();
      } finally {
        release.countDown();
      }
    }
  }

  private static byte[] message(int i) {
    byte[] data = new byte[MESSAGE];
    data[0] = (byte) i;
    data[1] = (byte) (i >> 8);
    return data;
  }
}
