package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.gossip.GossipCommand.OpenFailed;
import dev.cairn.p2p.gossip.GossipCommand.PeerOpening;
import dev.cairn.p2p.gossip.GossipCommand.PeerUp;
import dev.cairn.p2p.gossip.GossipCommand.RpcIn;
import dev.cairn.p2p.gossip.SimNet.Node;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The send gap right after connect: a peer we know from its own stream to us while ours to it is
 * still opening gets what we publish or forward once our stream opens, exactly once, within a byte
 * bound; nothing is kept for it if our stream fails.
 */
@Timeout(30)
class HeldSendTest {
  static final String TOPIC = "t";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code b}'s stream to {@code a} is open, {@code a}'s to {@code b} is opening. */
  private static void halfOpen(Node a, Node b) {
    a.handle(new PeerOpening(b.id));
    b.handle(new PeerUp(a.id, GossipState.MESHSUB_11, false, "10.0.0." + a.index));
  }

  private static void up(Node a, Node b) {
    a.handle(new PeerUp(b.id, GossipState.MESHSUB_11, true, "10.0.0." + b.index));
  }

  /** Two nodes subscribed to {@link #TOPIC}, half-open as {@link #halfOpen} leaves them. */
  private static SimNet halfOpenSubscribedPair(GossipConfig config) {
    SimNet net = new SimNet(config);
    Node a = net.add();
    Node b = net.add();
    a.subscribe(TOPIC);
    halfOpen(a, b);
    b.subscribe(TOPIC); // b's SUBSCRIBE reaches a on b's stream
    net.run();
    return net;
  }

  @Test
  void aFloodPublishWhileOurStreamOpensReachesThePeerOnceItOpens() {
    SimNet net = halfOpenSubscribedPair(GossipConfig.defaults());
    Node a = net.node(0);
    Node b = net.node(1);
    assertThat(a.state.counters().heldDropped.get()).isZero();
    PublishResult r = a.publish(TOPIC, bytes("early"));
    net.run();
    assertThat(r.peers()).isEqualTo(1);
    assertThat(b.delivered).isEmpty();
    assertThat(a.state.heldBytes(b.id)).isPositive();
    up(a, b);
    net.run();
    net.heartbeats(6);
    assertThat(b.deliveredTexts()).containsExactly("early");
    assertThat(a.state.heldBytes(b.id)).isZero();
  }

  @Test
  void aFanoutPublishWhileOurStreamOpensReachesThePeerOnceItOpens() {
    SimNet net = new SimNet(GossipConfig.defaults().withFloodPublish(false));
    Node a = net.add();
    Node b = net.add();
    halfOpen(a, b);
    b.subscribe(TOPIC);
    net.run();
    a.publish(TOPIC, bytes("fanout"));
    net.run();
    assertThat(a.state.fanout(TOPIC)).containsExactly(b.id);
    up(a, b);
    net.run();
    net.heartbeats(6);
    assertThat(b.deliveredTexts()).containsExactly("fanout");
  }

  @Test
  void aMeshPeerWhoseStreamOpensKeepsItsPlaceAndGetsForwardedMessagesOnce() {
    SimNet net = halfOpenSubscribedPair(GossipConfig.defaults());
    Node a = net.node(0);
    Node b = net.node(1);
    Node c = net.add();
    // b grafts a on its own stream (as a peer that learnt a's subscription elsewhere would)
    a.handle(
        new RpcIn(
            b.id,
            Rpc.ofControl(
                new Rpc.Control(List.of(), List.of(), List.of(new Rpc.Graft(TOPIC)), List.of())),
            List.of(),
            0));
    net.heartbeats(2); // the heartbeat keeps a peer whose stream is opening in the mesh
    assertThat(a.state.mesh(TOPIC)).contains(b.id);
    net.connect(a, c);
    c.subscribe(TOPIC);
    net.run();
    c.publish(TOPIC, bytes("forwarded"));
    net.run();
    assertThat(a.deliveredTexts()).containsExactly("forwarded");
    assertThat(b.delivered).isEmpty();
    up(a, b);
    net.run();
    net.heartbeats(6);
    assertThat(b.deliveredTexts()).containsExactly("forwarded");
  }

  @Test
  void whatIsHeldIsBoundedByBytesAndTheRestDroppedAndCounted() {
    GossipConfig config = GossipConfig.defaults().withMaxHeldBytes(10_000);
    SimNet net = halfOpenSubscribedPair(config);
    Node a = net.node(0);
    Node b = net.node(1);
    for (int i = 0; i < 10; i++) {
      byte[] data = new byte[3000];
      data[0] = (byte) i;
      a.publish(TOPIC, data);
    }
    assertThat(a.state.heldBytes(b.id)).isBetween(6000L, 10_000L);
    assertThat(a.state.counters().heldDropped.get()).isEqualTo(7);
    up(a, b);
    net.run();
    assertThat(b.delivered).hasSize(3);
  }

  @Test
  void whatIsHeldIsDroppedWhenOurStreamFailsOrThePeerLeaves() {
    SimNet net = halfOpenSubscribedPair(GossipConfig.defaults());
    Node a = net.node(0);
    Node b = net.node(1);
    a.publish(TOPIC, bytes("lost"));
    assertThat(a.state.heldBytes(b.id)).isPositive();
    a.handle(new OpenFailed(b.id));
    assertThat(a.state.heldBytes(b.id)).isZero();
    // a peer we only hear from (no stream of ours opening) gets nothing held
    a.publish(TOPIC, bytes("not held"));
    assertThat(a.state.heldBytes(b.id)).isZero();
    a.handle(new PeerOpening(b.id));
    a.publish(TOPIC, bytes("held again"));
    assertThat(a.state.heldBytes(b.id)).isPositive();
    a.handle(new GossipCommand.PeerDown(b.id));
    assertThat(a.state.heldBytes(b.id)).isZero();
  }
}
