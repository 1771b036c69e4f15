package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.SimNet.Node;
import dev.cairn.p2p.multiformats.PeerId;
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

  /**
   * Node 0 subscribed to {@link #TOPIC}, dialled by {@code peers} unsubscribed nodes (1, 2, ...),
   * under the default config.
   */
  private static SimNet subscriberDialledBy(int peers) {
    SimNet net = new SimNet(GossipConfig.defaults());
    Node a = net.add();
    for (int i = 0; i < peers; i++) {
      net.add();
    }
    for (int i = 1; i <= peers; i++) {
      net.connect(net.node(i), a);
    }
    a.subscribe(TOPIC);
    net.run();
    return net;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Rejects a message whose text starts with "bad"; answers {@code otherwise} to the others. */
  private static Validator rejectingBad(ValidationResult otherwise) {
    return Validator.sync(
        m ->
            new String(m.data(), StandardCharsets.UTF_8).startsWith("bad")
                ? ValidationResult.reject("bad")
                : otherwise);
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
            Rpc.ofControl(
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
            Rpc.ofControl(
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
    SimNet net = SimNet.subscribedPair(config, TOPIC);
    Node bad = net.node(0); // bad dialled honest
    Node honest = net.node(1);
    honest.setValidator(TOPIC, rejectingBad(ValidationResult.ACCEPT));
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
    SimNet net = SimNet.subscribedPair(GossipConfig.defaults(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<CompletableFuture<ValidationResult>> answers = b.holdValidations(TOPIC);
    a.publish(TOPIC, bytes("one"));
    a.publish(TOPIC, bytes("two"));
    net.run();
    assertThat(answers).hasSize(2);
    assertThat(b.delivered).isEmpty();
    assertThat(b.state.pendingValidations()).isEqualTo(2);
    answers.get(1).complete(ValidationResult.ACCEPT);
    answers.get(0).complete(ValidationResult.ignore("stale"));
    net.run();
    assertThat(b.deliveredTexts()).containsExactly("two");
    assertThat(b.state.pendingValidations()).isZero();
  }

  @Test
  void aValidatorThatAnswersAtOnceCostsOneWorkerTaskPerMessage() {
    // The signature check, the validator and the verdict's post are one task: each task is a
    // thread hand-off on the router, per message and node.
    SimNet net = SimNet.subscribedPair(GossipConfig.defaults(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<GossipMessage> judged = b.recordValidations(TOPIC, n -> ValidationResult.ACCEPT);
    int before = b.workerTasks;
    a.publish(TOPIC, bytes("one"));
    a.publish(TOPIC, bytes("two"));
    net.run();
    assertThat(judged).hasSize(2);
    assertThat(b.deliveredTexts()).containsExactly("one", "two");
    assertThat(b.workerTasks - before).isEqualTo(2);
  }

  @Test
  void publishingASeenMessageAgainReachesPeersThatMissedItAndNoOneTwice() {
    SimNet net = SimNet.subscribedPair(GossipConfig.cairn(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    net.heartbeats(2);
    a.publish(TOPIC, bytes("tx"));
    net.run();
    assertThat(b.delivered).hasSize(1);
    Node late = net.add();
    late.subscribe(TOPIC);
    net.connect(a, late);
    net.run();
    net.heartbeats(2);
    // content-addressed ids: the same bytes are a duplicate for a plain publish
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.publish(TOPIC, bytes("tx")))
        .hasMessageContaining("duplicate message");
    assertThat(a.publish(TOPIC, bytes("tx"), true).peers()).isPositive();
    net.run();
    assertThat(late.delivered).hasSize(1);
    assertThat(b.delivered).hasSize(1);
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
    net.clock.advanceMillis(Duration.ofSeconds(61).toMillis());
    net.heartbeat();
    assertThat(pub.state.fanout(TOPIC)).isEmpty();
    assertThat(Set.copyOf(pub.state.mesh(TOPIC))).isEmpty();
  }

  private static Rpc ihaveOf(List<MessageId> ids) {
    return Rpc.ofControl(
        new Rpc.Control(List.of(new Rpc.IHave(TOPIC, ids)), List.of(), List.of(), List.of()));
  }

  private static List<MessageId> ids(int round, int n) {
    List<MessageId> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(
          new MessageId(new byte[] {(byte) round, (byte) i, (byte) (i >> 8), (byte) (i >> 16)}));
    }
    return ids;
  }

  @Test
  void anIHaveOf10000IdsExaminesOnlyTheFirstMaxIHaveLength() {
    SimNet net = subscriberDialledBy(1);
    Node a = net.node(0);
    Node gossiper = net.node(1);
    net.inflight.clear();
    int cap = GossipConfig.defaults().maxIHaveLength();
    List<MessageId> ids = ids(0, 2 * cap);
    a.handle(new GossipCommand.RpcIn(gossiper.id, ihaveOf(ids), List.of(), 0));
    Set<MessageId> asked = new java.util.HashSet<>();
    for (SimNet.InFlight f : net.inflight) {
      for (Rpc.IWant w : f.rpc().control().iwant()) {
        asked.addAll(w.ids());
      }
    }
    assertThat(asked).hasSize(cap);
    assertThat(Set.copyOf(ids.subList(0, cap))).containsAll(asked);
  }

  @Test
  @org.junit.jupiter.api.Timeout(10)
  void ihavesCostTimeLinearInTheirIds() {
    SimNet net = subscriberDialledBy(1);
    Node a = net.node(0);
    Node gossiper = net.node(1);
    // One IHAVE of 10,000 fresh ids per heartbeat, 40 heartbeats: a scan of the ids asked so far
    // for each id (quadratic) takes seconds; a hash lookup per id, milliseconds.
    List<Rpc> rpcs = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      rpcs.add(ihaveOf(ids(k, 10_000)));
    }
    long start = System.nanoTime();
    for (Rpc rpc : rpcs) {
      a.handle(new GossipCommand.RpcIn(gossiper.id, rpc, List.of(), 0));
      net.inflight.clear();
      net.heartbeat();
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("40 IHAVEs of 10,000 ids: " + millis + " ms");
    assertThat(millis).isLessThan(1_500);
  }

  @Test
  void unknownTopicAndControlFloodsAreBoundedAndPenalised() {
    SimNet net = subscriberDialledBy(2);
    Node a = net.node(0);
    Node spammer = net.node(1);
    Node gossiper = net.node(2);
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
              Rpc.ofControl(
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
    net.clock.advanceMillis(4000);
    a.handle(new GossipCommand.Tick());
    assertThat(a.score(gossiper)).isLessThan(before);
    assertThat(a.score(gossiper)).isLessThan(GossipConfig.defaults().thresholds().graylist());
  }

  private static Rpc control(List<Rpc.Graft> grafts, List<Rpc.Prune> prunes) {
    return Rpc.ofControl(new Rpc.Control(List.of(), List.of(), grafts, prunes));
  }

  private static PeerId freshPeer(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return PeerId.fromPublicKey(Ed25519PrivateKey.fromSeed(s).publicKey());
  }

  private static List<Rpc.Prune> prunesIn(List<SimNet.InFlight> sent) {
    return sent.stream().flatMap(f -> f.rpc().control().prune().stream()).toList();
  }

  @Test
  void pxFromAWellScoredPeerIsFollowedAndFromALowScoredPeerIgnored() {
    SimNet net = new SimNet(GossipConfig.defaults());
    Node a = net.add();
    Node trusted = net.add();
    Node stranger = net.add();
    Node connected = net.add();
    net.connect(a, trusted);
    net.connect(a, stranger);
    net.connect(a, connected);
    a.handle(new GossipCommand.SetAppScore(trusted.id, 2)); // P5 weight 10: score 20 >= 10
    assertThat(a.score(trusted))
        .isGreaterThanOrEqualTo(GossipConfig.defaults().thresholds().acceptPx());
    assertThat(a.score(stranger)).isLessThan(GossipConfig.defaults().thresholds().acceptPx());
    PeerId unknown = freshPeer(1);
    byte[] record = {1, 2, 3}; // verified by the dialer, not by the state
    List<Rpc.PeerExchange> px =
        List.of(
            new Rpc.PeerExchange(unknown.bytes(), record),
            new Rpc.PeerExchange(connected.id.bytes(), null), // already connected
            new Rpc.PeerExchange(a.id.bytes(), null), // ourselves
            new Rpc.PeerExchange(new byte[] {0x12, 0x05, 1}, null)); // not a peer id

    a.handle(
        new GossipCommand.RpcIn(
            stranger.id, control(List.of(), List.of(new Rpc.Prune(TOPIC, px, 60L))), List.of(), 0));
    assertThat(a.dials).isEmpty();
    assertThat(a.state.inBackoff(TOPIC, stranger.id)).isTrue(); // the PRUNE itself still counts

    a.handle(
        new GossipCommand.RpcIn(
            trusted.id, control(List.of(), List.of(new Rpc.Prune(TOPIC, px, 60L))), List.of(), 0));
    assertThat(a.dials).hasSize(1);
    assertThat(a.dials.get(0).peer()).isEqualTo(unknown);
    assertThat(a.dials.get(0).signedPeerRecord()).isEqualTo(record);
  }

  @Test
  void pxDialsAreBoundedPerPruneAndPerHeartbeat() {
    GossipConfig config = GossipConfig.defaults();
    SimNet net = new SimNet(config);
    Node a = net.add();
    Node trusted = net.add();
    net.connect(a, trusted);
    a.handle(new GossipCommand.SetAppScore(trusted.id, 2));
    List<Rpc.PeerExchange> many = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      many.add(new Rpc.PeerExchange(freshPeer(100 + i).bytes(), null));
    }
    Rpc prune =
        control(
            List.of(),
            List.of(
                new Rpc.Prune(TOPIC, many.subList(0, 10), 60L),
                new Rpc.Prune("u", many.subList(10, 40), 60L)));
    a.handle(new GossipCommand.RpcIn(trusted.id, prune, List.of(), 0));
    // the first PRUNE's 10, then the second is cut by the heartbeat budget
    assertThat(a.dials).hasSize(config.maxPxDials());
    a.handle(
        new GossipCommand.RpcIn(
            trusted.id,
            control(List.of(), List.of(new Rpc.Prune("v", many.subList(10, 40), 60L))),
            List.of(),
            0));
    assertThat(a.dials).hasSize(config.maxPxDials());
    net.heartbeat();
    a.handle(
        new GossipCommand.RpcIn(
            trusted.id,
            control(List.of(), List.of(new Rpc.Prune("w", many.subList(40, 60), 60L))),
            List.of(),
            0));
    // a new heartbeat, a new budget; one PRUNE yields at most prunePeers
    assertThat(a.dials).hasSize(config.maxPxDials() + config.prunePeers());
    assertThat(a.dials.stream().map(SimNet.Dial::peer).distinct()).hasSize(a.dials.size());
  }

  /** A hub whose mesh overflows: 14 inbound peers graft it; it keeps D_hi, then prunes to D. */
  private static List<Rpc.Prune> hubPrunes(GossipConfig config, List<Node> leavesOut) {
    SimNet net = new SimNet(config);
    Node hub = net.add();
    hub.subscribe(TOPIC);
    for (int i = 0; i < 14; i++) {
      Node leaf = net.add();
      leavesOut.add(leaf);
      net.connect(leaf, hub);
    }
    List<SimNet.InFlight> fromHub = new ArrayList<>();
    net.filter =
        (from, to, rpc) -> {
          if (from == hub) {
            fromHub.add(new SimNet.InFlight(from, to, rpc));
          }
          return rpc;
        };
    leavesOut.forEach(l -> l.subscribe(TOPIC));
    net.run();
    assertThat(hub.state.mesh(TOPIC)).hasSize(config.dHi());
    net.clock.advanceMillis(30_000); // past the leaves' backoff for the first rejected GRAFTs
    net.heartbeats(2);
    assertThat(hub.state.mesh(TOPIC).size()).isLessThanOrEqualTo(config.dHi());
    List<Rpc.Prune> prunes = new ArrayList<>();
    for (SimNet.InFlight f : fromHub) {
      for (Rpc.Prune p : f.rpc().control().prune()) {
        prunes.add(p);
        for (Rpc.PeerExchange e : p.peers()) {
          assertThat(e.peerId()).as("never the pruned peer itself").isNotEqualTo(f.to().id.bytes());
          assertThat(e.signedPeerRecord()).as("ids only").isNull();
        }
      }
    }
    assertThat(prunes).isNotEmpty();
    return prunes;
  }

  @Test
  void pruningAnOverfullMeshSendsPeerExchangeOnlyWithDoPx() {
    List<Node> leaves = new ArrayList<>();
    List<Rpc.Prune> withPx = hubPrunes(GossipConfig.defaults().withDoPx(true), leaves);
    assertThat(withPx)
        .allSatisfy(p -> assertThat(p.peers()).isNotEmpty().hasSizeLessThanOrEqualTo(16));
    // the leaves' score for the hub is 0, below acceptPx: nobody follows the hub's PX
    assertThat(leaves).allSatisfy(l -> assertThat(l.dials).isEmpty());

    List<Rpc.Prune> withoutPx =
        hubPrunes(GossipConfig.defaults().withDoPx(false), new ArrayList<>());
    assertThat(withoutPx).allSatisfy(p -> assertThat(p.peers()).isEmpty());
  }

  @Test
  void noPeerExchangeInAPruneForAPeerGraftingInsideBackoff() {
    SimNet net = new SimNet(GossipConfig.defaults().withDoPx(true));
    Node a = net.add();
    Node b = net.add();
    net.connect(a, b);
    for (int i = 0; i < 3; i++) {
      net.connect(net.add(), a);
    }
    net.nodes.forEach(n -> n.subscribe(TOPIC));
    net.run();
    a.handle(
        new GossipCommand.RpcIn(
            b.id, control(List.of(), List.of(new Rpc.Prune(TOPIC, List.of(), 60L))), List.of(), 0));
    net.inflight.clear();
    a.handle(
        new GossipCommand.RpcIn(
            b.id, control(List.of(new Rpc.Graft(TOPIC)), List.of()), List.of(), 0));
    List<Rpc.Prune> answers = prunesIn(List.copyOf(net.inflight));
    assertThat(answers).singleElement().satisfies(p -> assertThat(p.peers()).isEmpty());
  }

  @Test
  void aGraftForATopicWeAreNotInIsAnsweredWithPruneWithoutPenaltyOrState() {
    SimNet net = new SimNet(GossipConfig.defaults().withDoPx(true));
    Node a = net.add();
    Node b = net.add();
    Node c = net.add();
    net.connect(a, b);
    net.connect(a, c);
    a.subscribe(TOPIC);
    c.subscribe("other");
    net.run();
    net.inflight.clear();
    double before = a.score(b);
    a.handle(
        new GossipCommand.RpcIn(
            b.id, control(List.of(new Rpc.Graft("other")), List.of()), List.of(), 0));
    List<Rpc.Prune> answers = prunesIn(List.copyOf(net.inflight));
    assertThat(answers)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.topic()).isEqualTo("other");
              assertThat(p.peers()).as("no PX for a topic we are not in").isEmpty();
              assertThat(p.backoffSeconds()).isEqualTo(60L);
            });
    assertThat(a.score(b)).isEqualTo(before);
    assertThat(a.state.inBackoff("other", b.id)).isFalse();
    assertThat(a.state.mesh("other")).isEmpty();
    net.run();
    // b, which never had a in its mesh for "other", just records the backoff
    assertThat(b.state.inBackoff("other", a.id)).isTrue();

    // a flood of them: answers are bounded per heartbeat
    net.inflight.clear();
    List<Rpc.Graft> flood = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      flood.add(new Rpc.Graft("junk-" + i));
    }
    a.handle(new GossipCommand.RpcIn(b.id, control(flood, List.of()), List.of(), 0));
    assertThat(prunesIn(List.copyOf(net.inflight)))
        .hasSize(GossipState.MAX_UNKNOWN_TOPIC_GRAFTS - 1);
  }

  @Test
  void aValidatorThatNeverAnswersTimesOutAsIgnoreAndItsLateAnswerIsDropped() {
    GossipConfig config = GossipConfig.defaults().withValidationTimeout(Duration.ofSeconds(10));
    SimNet net = SimNet.subscribedPair(config, TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<CompletableFuture<ValidationResult>> answers = b.holdValidations(TOPIC);
    a.publish(TOPIC, bytes("stuck"));
    net.run();
    assertThat(b.state.pendingValidations()).isEqualTo(1);
    net.heartbeats(9);
    assertThat(b.state.pendingValidations()).isEqualTo(1);
    net.heartbeats(2);
    assertThat(b.state.pendingValidations()).as("slot freed after the timeout").isZero();
    assertThat(b.score(a)).as("IGNORE: no penalty").isGreaterThanOrEqualTo(0);
    // the copy is still seen, so it is not validated again; the late ACCEPT is dropped
    answers.get(0).complete(ValidationResult.ACCEPT);
    net.run();
    assertThat(b.delivered).isEmpty();
    assertThat(b.state.pendingValidations()).isZero();
    // a validator that does answer still works
    a.publish(TOPIC, bytes("fine"));
    net.run();
    answers.get(1).complete(ValidationResult.ACCEPT);
    net.run();
    assertThat(b.deliveredTexts()).containsExactly("fine");
  }

  @Test
  void aMessageTheValidatorWasTooBusyForIsForgottenSoALaterCopyIsValidated() {
    SimNet net = SimNet.subscribedPair(GossipConfig.cairn(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<GossipMessage> judged =
        b.recordValidations(
            TOPIC, n -> n == 1 ? ValidationResult.retryLater("busy") : ValidationResult.ACCEPT);
    PublishResult first = a.publish(TOPIC, bytes("block"));
    net.run();
    assertThat(judged).hasSize(1);
    assertThat(b.state.seen(first.id())).as("not remembered as seen").isFalse();
    assertThat(b.delivered).isEmpty();
    assertThat(b.score(a)).as("no penalty").isGreaterThanOrEqualTo(0);
    assertThat(b.rejectedFrom).isEmpty();
    // an honest copy of the same message arrives later: judged, accepted, delivered
    a.publish(TOPIC, bytes("block"), true);
    net.run();
    assertThat(judged).hasSize(2);
    assertThat(b.delivered).extracting(GossipMessage::id).containsExactly(first.id());
    assertThat(b.state.seen(first.id())).isTrue();
  }

  @Test
  void aPlainIgnoreIsStillRememberedAsSeen() {
    SimNet net = SimNet.subscribedPair(GossipConfig.cairn(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<GossipMessage> judged =
        b.recordValidations(TOPIC, n -> ValidationResult.ignore("duplicate block"));
    PublishResult first = a.publish(TOPIC, bytes("block"));
    net.run();
    assertThat(b.state.seen(first.id())).isTrue();
    a.publish(TOPIC, bytes("block"), true);
    net.run();
    assertThat(judged).hasSize(1);
  }

  @Test
  void aRejectIsReportedForTheSendersHostStandingAndAnIgnoreIsNot() {
    SimNet net = SimNet.subscribedPair(GossipConfig.cairn(), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    b.setValidator(TOPIC, rejectingBad(ValidationResult.ignore("stale")));
    a.publish(TOPIC, bytes("stale"));
    net.run();
    assertThat(b.rejectedFrom).isEmpty();
    a.publish(TOPIC, bytes("bad"));
    net.run();
    assertThat(b.rejectedFrom).containsExactly(a.id);
  }

  @Test
  void aMessageDroppedAtAFullValidationQueueIsNotRememberedAsSeen() {
    SimNet net = SimNet.subscribedPair(GossipConfig.cairn().withMaxPendingValidations(1), TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<CompletableFuture<ValidationResult>> answers = b.holdValidations(TOPIC);
    a.publish(TOPIC, bytes("one"));
    PublishResult two = a.publish(TOPIC, bytes("two"));
    net.run();
    assertThat(answers).hasSize(1); // "two" found the queue full
    assertThat(b.state.seen(two.id())).isFalse();
    answers.get(0).complete(ValidationResult.ACCEPT);
    net.run();
    a.publish(TOPIC, bytes("two"), true);
    net.run();
    assertThat(answers).hasSize(2);
    answers.get(1).complete(ValidationResult.ACCEPT);
    net.run();
    assertThat(b.deliveredTexts()).containsExactly("one", "two");
  }
}
