package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.gossip.SimNet.Node;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The router logic on the test thread: fake clock, explicit heartbeats, no threads or sockets. */
@Timeout(30)
class GossipStateTest {
  static final String TOPIC = "t";

  private static SimNet randomNetwork(GossipConfig config, int n, int degree, long seed) {
    SimNet net = new SimNet(config);
    for (int i = 0; i < n; i++) {
      net.add();
    }
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < degree; k++) {
        int j = r.nextInt(n);
        if (j != i) {
          net.connect(net.nodes.get(i), net.nodes.get(j));
        }
      }
    }
    return net;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void meshDegreesConvergeWithinBoundsAndEveryMessageIsDeliveredOnce() {
    SimNet net = randomNetwork(GossipConfig.defaults(), 30, 5, 1);
    net.nodes.forEach(n -> n.subscribe(TOPIC));
    net.run();
    net.heartbeats(5);
    for (Node n : net.nodes) {
      assertThat(n.state.mesh(TOPIC).size()).as("mesh of node %d", n.index).isBetween(4, 12);
    }
    for (int i = 0; i < 20; i++) {
      net.nodes.get(i % 30).publish(TOPIC, bytes("m" + i));
      net.run();
    }
    for (Node n : net.nodes) {
      int own =
          (int) java.util.stream.IntStream.range(0, 20).filter(i -> i % 30 == n.index).count();
      assertThat(n.delivered).hasSize(20 - own);
      assertThat(n.delivered.stream().map(GossipMessage::id).distinct()).hasSize(20 - own);
    }
  }

  @Test
  void ihaveIwantRecoversMessagesThatMeshLinksDrop() {
    GossipConfig config = GossipConfig.defaults().withFloodPublish(false);
    SimNet net = randomNetwork(config, 20, 4, 2);
    for (int i = 1; i < 20; i++) {
      net.connect(net.nodes.get(0), net.nodes.get(i)); // the publisher has non-mesh peers
    }
    net.nodes.forEach(n -> n.subscribe(TOPIC));
    net.run();
    net.heartbeats(3);
    // The publisher's links lose every message it pushes; only its answers to IWANT get through.
    // Without gossip nobody would see the message.
    java.util.Set<Integer> asked = new java.util.HashSet<>();
    net.filter =
        (from, to, rpc) -> {
          if (to.index == 0 && !rpc.control().iwant().isEmpty()) {
            asked.add(from.index);
          }
          if (from.index != 0 || rpc.messages().isEmpty() || asked.remove(to.index)) {
            return rpc;
          }
          return new Rpc(rpc.subscriptions(), List.of(), rpc.control());
        };
    Node publisher = net.nodes.get(0);
    PublishResult r = publisher.publish(TOPIC, bytes("recover me"));
    net.run();
    long reachedBeforeGossip = net.nodes.stream().filter(n -> !n.delivered.isEmpty()).count();
    assertThat(reachedBeforeGossip).isZero();
    net.heartbeat();
    assertThat(asked).isEmpty(); // every IWANT was answered
    net.heartbeats(2);
    for (Node n : net.nodes) {
      if (n != publisher) {
        assertThat(n.delivered).as("node %d", n.index).hasSize(1);
        assertThat(n.delivered.get(0).id()).isEqualTo(r.id());
      }
    }
  }

  @Test
  void pruneBackoffIsHonouredAndGraftingInsideItIsPenalised() {
    GossipConfig config = GossipConfig.defaults().withPruneBackoff(Duration.ofSeconds(30));
    SimNet net = new SimNet(config);
    Node a = net.add();
    Node b = net.add();
    net.connect(a, b);
    a.subscribe(TOPIC);
    net.run();
    b.subscribe(TOPIC);
    net.run();
    assertThat(a.state.mesh(TOPIC)).containsExactly(b.id);
    // b leaves and comes back: a was pruned with the unsubscribe backoff (10 s)
    b.handle(new GossipCommand.Unsubscribe(TOPIC, new CompletableFuture<>()));
    net.run();
    assertThat(a.state.mesh(TOPIC)).isEmpty();
    assertThat(a.state.inBackoff(TOPIC, b.id)).isTrue();
    b.subscribe(TOPIC);
    net.run();
    // b's JOIN cannot graft a (b is in backoff for a too), and a's heartbeats do not graft b
    assertThat(b.state.mesh(TOPIC)).isEmpty();
    net.heartbeats(9);
    assertThat(a.state.mesh(TOPIC)).isEmpty();
    assertThat(b.state.mesh(TOPIC)).isEmpty();
    // after the backoff (10 s) plus a heartbeat of slack, the mesh forms again
    net.heartbeats(3);
    assertThat(a.state.mesh(TOPIC)).containsExactly(b.id);
    assertThat(b.state.mesh(TOPIC)).containsExactly(a.id);

    // a GRAFT inside a PRUNE backoff is answered with PRUNE and costs a behaviour penalty
    Node c = net.add();
    net.connect(a, c);
    c.subscribe(TOPIC);
    net.run();
    a.handle(
        new GossipCommand.RpcIn(
            c.id,
            new Rpc(
                List.of(),
                List.of(),
                new Rpc.Control(
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(new Rpc.Prune(TOPIC, List.of(), 30L)))),
            List.of(),
            0));
    double before = a.score(c);
    a.handle(
        new GossipCommand.RpcIn(
            c.id,
            new Rpc(
                List.of(),
                List.of(),
                new Rpc.Control(List.of(), List.of(), List.of(new Rpc.Graft(TOPIC)), List.of())),
            List.of(),
            0));
    net.run();
    assertThat(a.state.mesh(TOPIC)).doesNotContain(c.id);
    assertThat(a.score(c)).isLessThan(before);
  }

  @Test
  void aPeerPublishingInvalidMessagesFallsBelowGraylistAndIsIgnored() {
    GossipConfig config =
        GossipConfig.defaults()
            .withScore(
                PeerScoreParams.defaults().withTopic(TOPIC, TopicScoreParams.invalidMessagesOnly()),
                PeerScoreThresholds.defaults());
    SimNet net = new SimNet(config);
    Node honest = net.add();
    Node bad = net.add();
    net.connect(bad, honest);
    honest.subscribe(TOPIC);
    bad.subscribe(TOPIC);
    net.run();
    honest.setValidator(
        TOPIC,
        Validator.sync(
            m ->
                new String(m.data(), StandardCharsets.UTF_8).startsWith("bad")
                    ? ValidationResult.reject("bad")
                    : ValidationResult.ACCEPT));
    for (int i = 0; i < 20; i++) {
      bad.publish(TOPIC, bytes("bad " + i));
    }
    net.run();
    assertThat(honest.delivered).isEmpty();
    assertThat(honest.score(bad)).isLessThan(config.thresholds().graylist());
    // once graylisted, its RPCs are not even looked at: the last invalid ones were never seen
    int seen = honest.state.seenSize();
    assertThat(seen).isLessThan(20);
    bad.publish(TOPIC, bytes("good now"));
    net.run();
    assertThat(honest.delivered).isEmpty();
    assertThat(honest.state.seenSize()).isEqualTo(seen);
  }

  @Test
  void asynchronousValidationDoesNotBlockAndRejectsAfterwards() {
    SimNet net = new SimNet(GossipConfig.defaults());
    Node a = net.add();
    Node b = net.add();
    net.connect(a, b);
    a.subscribe(TOPIC);
    b.subscribe(TOPIC);
    net.run();
    List<CompletableFuture<ValidationResult>> answers = new ArrayList<>();
    b.setValidator(
        TOPIC,
        m -> {
          CompletableFuture<ValidationResult> f = new CompletableFuture<>();
          answers.add(f);
          return f;
        });
    a.publish(TOPIC, bytes("one"));
    a.publish(TOPIC, bytes("two"));
    net.run();
    assertThat(answers).hasSize(2);
    assertThat(b.delivered).isEmpty();
    assertThat(b.state.pendingValidations()).isEqualTo(2);
    answers.get(1).complete(ValidationResult.ACCEPT);
    answers.get(0).complete(ValidationResult.ignore("stale"));
    net.run();
    assertThat(b.delivered)
        .extracting(m -> new String(m.data(), StandardCharsets.UTF_8))
        .containsExactly("two");
    assertThat(b.state.pendingValidations()).isZero();
  }

  @Test
  void fanoutIsUsedWhenPublishingToATopicWeAreNotIn() {
    SimNet net = new SimNet(GossipConfig.defaults().withFloodPublish(false));
    Node pub = net.add();
    List<Node> subs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Node s = net.add();
      subs.add(s);
      net.connect(pub, s);
      s.subscribe(TOPIC);
    }
    net.run();
    PublishResult r = pub.publish(TOPIC, bytes("x"));
    net.run();
    assertThat(r.peers()).isEqualTo(6);
    assertThat(pub.state.fanout(TOPIC)).hasSize(6);
    assertThat(subs.stream().filter(s -> !s.delivered.isEmpty()).count()).isEqualTo(6);
    net.clock.millis += Duration.ofSeconds(61).toMillis();
    net.heartbeat();
    assertThat(pub.state.fanout(TOPIC)).isEmpty();
    assertThat(Set.copyOf(pub.state.mesh(TOPIC))).isEmpty();
  }

  @Test
  void unknownTopicAndControlFloodsAreBoundedAndPenalised() {
    SimNet net = new SimNet(GossipConfig.defaults());
    Node a = net.add();
    Node spammer = net.add();
    Node gossiper = net.add();
    net.connect(spammer, a);
    net.connect(gossiper, a);
    a.subscribe(TOPIC);
    net.run();
    // more topics than a peer may hold: the surplus is ignored and costs behaviour penalties
    List<Rpc.SubOpts> subs = new ArrayList<>();
    for (int i = 0; i < GossipConfig.defaults().maxTopicsPerPeer() + 5; i++) {
      subs.add(new Rpc.SubOpts(true, "junk-" + i));
    }
    a.handle(new GossipCommand.RpcIn(spammer.id, new Rpc(subs, List.of(), null), List.of(), 0));
    assertThat(a.score(spammer)).isLessThan(0);
    assertThat(a.score(spammer)).isLessThan(GossipConfig.defaults().thresholds().graylist());
    // IHAVE flood: only maxIHaveMessages IHAVEs per heartbeat are answered, and at most
    // maxIHaveLength ids are asked for in total
    net.inflight.clear();
    int iwantIds = 0;
    for (int k = 0; k < 50; k++) {
      List<MessageId> ids = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        ids.add(new MessageId(new byte[] {(byte) k, (byte) i, (byte) (i >> 8)}));
      }
      a.handle(
          new GossipCommand.RpcIn(
              gossiper.id,
              new Rpc(
                  List.of(),
                  List.of(),
                  new Rpc.Control(
                      List.of(new Rpc.IHave(TOPIC, ids)), List.of(), List.of(), List.of())),
              List.of(),
              0));
    }
    for (SimNet.InFlight f : net.inflight) {
      for (Rpc.IWant w : f.rpc().control().iwant()) {
        iwantIds += w.ids().size();
      }
    }
    assertThat(iwantIds).isEqualTo(GossipConfig.defaults().maxIHaveLength());
    net.inflight.clear();
    // none of those promises is kept: after the follow-up time the spammer is penalised further
    double before = a.score(gossiper);
    net.clock.millis += 4000;
    a.handle(new GossipCommand.Tick());
    assertThat(a.score(gossiper)).isLessThan(before);
    assertThat(a.score(gossiper)).isLessThan(GossipConfig.defaults().thresholds().graylist());
  }
}
