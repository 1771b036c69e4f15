package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.gossip.GossipCommand.MeshPeers;
import dev.cairn.p2p.gossip.GossipCommand.Misbehaved;
import dev.cairn.p2p.gossip.GossipCommand.PeerDown;
import dev.cairn.p2p.gossip.GossipCommand.PeerUp;
import dev.cairn.p2p.gossip.GossipCommand.Publish;
import dev.cairn.p2p.gossip.GossipCommand.RpcIn;
import dev.cairn.p2p.gossip.GossipCommand.Score;
import dev.cairn.p2p.gossip.GossipCommand.SetAppScore;
import dev.cairn.p2p.gossip.GossipCommand.SetValidator;
import dev.cairn.p2p.gossip.GossipCommand.StateCommand;
import dev.cairn.p2p.gossip.GossipCommand.Subscribe;
import dev.cairn.p2p.gossip.GossipCommand.Tick;
import dev.cairn.p2p.gossip.GossipCommand.TopicPeers;
import dev.cairn.p2p.gossip.GossipCommand.Unsubscribe;
import dev.cairn.p2p.gossip.GossipCommand.Validated;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The gossipsub router's logic: peers and their subscriptions, meshes, fanout, caches, gossip,
 * backoff and scores. A plain class stepped by {@link #handle} on one thread — the router's owner
 * thread in production, the test thread in tests (with a fake {@link Clock} and explicit {@link
 * Tick}s). Mutators check that thread.
 *
 * <p>Effects leave through {@link Output} (RPCs to peers, messages to the application), batched per
 * command so that control messages piggyback on one RPC per peer. Validation runs on {@code worker}
 * and its result comes back through {@code post} as a {@link Validated} command: the state never
 * waits for it.
 *
 * <p>Over 600 lines on purpose for now: it is split along its seams (mesh, gossip and promises,
 * backoff and PX, validation, outbox) by issue t2-E (the owner redesign), which rewrites every
 * owner at once; splitting it here first would be done twice.
 */
final class GossipState {
  private static final Logger LOG = LogManager.getLogger();

  static final String MESHSUB_11 = "/meshsub/1.1.0";
  static final String MESHSUB_10 = "/meshsub/1.0.0";
  static final String FLOODSUB = "/floodsub/1.0.0";

  /**
   * Answers to at most this many GRAFTs for topics we are not in, per peer per heartbeat; further
   * ones are ignored (each answer is a PRUNE: a flood of them must not turn into one of ours).
   */
  static final int MAX_UNKNOWN_TOPIC_GRAFTS = 64;

  /** Where the state's effects go. Called on the owner thread; must not block. */
  interface Output {
    void send(PeerId peer, Rpc rpc);

    void deliver(GossipMessage message);

    /**
     * Peer exchange: try to connect to {@code peer}, whose signed peer record (an envelope, not yet
     * verified) is {@code signedPeerRecord} or null. Must return at once; the dial happens
     * elsewhere, and the peer shows up through {@link PeerUp} if it works.
     */
    void connect(PeerId peer, byte[] signedPeerRecord);

    /**
     * The application REJECTed a message {@code peer} sent us first: beyond its gossip score (P4),
     * the router charges its host standing. Must return at once.
     */
    default void rejected(PeerId peer, String topic, String reason) {}
  }

  /** A message in validation: who sent it first, and when we stop waiting for the validator. */
  private record Validating(PeerId from, String topic, long deadline) {}

  private static final class Peer {
    final PeerId id;
    String protocol;
    boolean outbound;
    boolean up;
    final Set<String> topics = new HashSet<>();
    int ihaves;
    int asked;
    int unknownGrafts;

    Peer(PeerId id) {
      this.id = id;
    }

    boolean floodsub() {
      return FLOODSUB.equals(protocol);
    }

    boolean v11() {
      return MESHSUB_11.equals(protocol);
    }
  }

  /** Outgoing pieces for one peer during one command. */
  private static final class Pending {
    final List<Rpc.SubOpts> subs = new ArrayList<>();
    final List<Rpc.Message> messages = new ArrayList<>();
    final List<Rpc.IHave> ihave = new ArrayList<>();
    final List<Rpc.IWant> iwant = new ArrayList<>();
    final List<Rpc.Graft> graft = new ArrayList<>();
    final List<Rpc.Prune> prune = new ArrayList<>();

    Rpc build() {
      return new Rpc(subs, messages, new Rpc.Control(ihave, iwant, graft, prune));
    }
  }

  private final GossipConfig config;
  private final PeerId self;
  private final Clock clock;
  private final Random random;
  private final Output output;
  private final Executor worker;
  private final Consumer<GossipCommand> post;
  private Thread owner;

  private final Map<PeerId, Peer> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> topicPeers = new HashMap<>();
  private final Map<String, Set<PeerId>> mesh = new HashMap<>();
  private final Map<String, Set<PeerId>> fanout = new HashMap<>();
  private final Map<String, Long> fanoutLastPublish = new HashMap<>();
  private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
  private final Map<String, Validator> validators = new HashMap<>();
  private final Map<MessageId, Map<PeerId, Long>> promises = new HashMap<>();
  private final Map<PeerId, Pending> pending = new LinkedHashMap<>();
  private final SeenCache seen;
  private final MessageCache mcache;
  private final PeerScore score;

  /** In deadline order (one timeout for all): the head expires first. */
  private final LinkedHashMap<MessageId, Validating> validating = new LinkedHashMap<>();

  private int pxDials;
  private long ticks;

  GossipState(
      GossipConfig config,
      PeerId self,
      Clock clock,
      Random random,
      Output output,
      Executor worker,
      Consumer<GossipCommand> post) {
    this.config = config;
    this.self = self;
    this.clock = clock;
    this.random = random;
    this.output = output;
    this.worker = worker;
    this.post = post;
    this.seen = new SeenCache(config.seenTtl().toMillis(), config.seenCacheSize());
    this.mcache =
        new MessageCache(config.mcacheLen(), config.mcacheGossip(), config.mcacheMaxMessages());
    this.score =
        new PeerScore(
            config.score(), config.seenTtl().toMillis(), config.seenCacheSize(), clock.millis());
  }

  /** Binds the state to the calling thread; later calls from another thread fail. */
  void bindOwner() {
    owner = Thread.currentThread();
  }

  private void checkOwnerThread() {
    if (owner != null && owner != Thread.currentThread()) {
      throw new IllegalStateException(
          "gossip state stepped on " + Thread.currentThread() + ", owner is " + owner);
    }
  }

  /** Steps the state by one command and flushes the RPCs it produced. */
  void handle(StateCommand command) {
    checkOwnerThread();
    try {
      switch (command) {
        case PeerUp c -> peerUp(c);
        case PeerDown c -> peerDown(c.peer());
        case RpcIn c -> rpcIn(c);
        case Misbehaved c -> {
          LOG.debug("{} sent a bad RPC: {}", c.peer().shortString(), c.reason());
          score.addPenalty(c.peer(), 1);
        }
        case Validated c -> validated(c);
        case Tick c -> heartbeat();
        case Subscribe c -> {
          join(c.topic());
          c.reply().complete(null);
        }
        case Unsubscribe c -> {
          leave(c.topic());
          c.reply().complete(null);
        }
        case Publish c -> publish(c);
        case SetValidator c -> {
          if (c.validator() == null) {
            validators.remove(c.topic());
          } else {
            validators.put(c.topic(), c.validator());
          }
          c.reply().complete(null);
        }
        case SetAppScore c -> score.setAppScore(c.peer(), c.score());
        case MeshPeers c -> c.reply().complete(Set.copyOf(mesh.getOrDefault(c.topic(), Set.of())));
        case TopicPeers c ->
            c.reply().complete(Set.copyOf(topicPeers.getOrDefault(c.topic(), Set.of())));
        case Score c -> c.reply().complete(score.score(c.peer(), clock.millis()));
      }
    } finally {
      flush();
    }
  }

  // ---- peers -------------------------------------------------------------------------------

  private void peerUp(PeerUp c) {
    Peer p = peers.computeIfAbsent(c.peer(), Peer::new);
    p.protocol = c.protocol();
    p.outbound = c.outbound();
    p.up = true;
    score.addPeer(c.peer(), c.ip());
    if (!mesh.isEmpty()) {
      Pending out = pending(c.peer());
      mesh.keySet().forEach(t -> out.subs.add(new Rpc.SubOpts(true, t)));
    }
  }

  private void peerDown(PeerId id) {
    Peer p = peers.remove(id);
    if (p == null) {
      return;
    }
    for (String t : p.topics) {
      removeFromTopic(t, id);
    }
    score.removePeer(id, clock.millis());
    pending.remove(id);
  }

  private void removeFromTopic(String topic, PeerId id) {
    Set<PeerId> tp = topicPeers.get(topic);
    if (tp != null) {
      tp.remove(id);
      if (tp.isEmpty()) {
        topicPeers.remove(topic);
      }
    }
    Set<PeerId> m = mesh.get(topic);
    if (m != null && m.remove(id)) {
      score.prune(id, topic);
    }
    Set<PeerId> f = fanout.get(topic);
    if (f != null) {
      f.remove(id);
    }
  }

  double scoreOf(PeerId peer) {
    return score.score(peer, clock.millis());
  }

  // ---- inbound RPCs ------------------------------------------------------------------------

  private void rpcIn(RpcIn c) {
    PeerId from = c.peer();
    Peer p = peers.computeIfAbsent(from, Peer::new);
    if (c.droppedBefore() > 0) {
      // Our mailbox was full while this peer kept sending: it sends more than we can take.
      score.addPenalty(from, 1);
    }
    long now = clock.millis();
    if (score.score(from, now) < config.thresholds().graylist()) {
      LOG.trace("ignoring RPC from graylisted {}", from.shortString());
      return;
    }
    for (Rpc.SubOpts s : c.rpc().subscriptions()) {
      subscription(p, s);
    }
    List<Rpc.Message> messages = c.rpc().messages();
    for (int i = 0; i < messages.size(); i++) {
      message(from, messages.get(i), c.ids().get(i), now);
    }
    Rpc.Control control = c.rpc().control();
    boolean gossipOk = score.score(from, now) >= config.thresholds().gossip();
    if (gossipOk) {
      ihave(p, control.ihave());
      iwant(p, control.iwant());
    }
    for (Rpc.Graft g : control.graft()) {
      graft(p, g.topic(), now);
    }
    for (Rpc.Prune pr : control.prune()) {
      prune(p, pr, now);
    }
  }

  private void subscription(Peer p, Rpc.SubOpts s) {
    if (s.subscribe()) {
      if (p.topics.contains(s.topic())) {
        return;
      }
      if (p.topics.size() >= config.maxTopicsPerPeer()) {
        score.addPenalty(p.id, 1);
        return;
      }
      p.topics.add(s.topic());
      topicPeers.computeIfAbsent(s.topic(), t -> new LinkedHashSet<>()).add(p.id);
    } else if (p.topics.remove(s.topic())) {
      removeFromTopic(s.topic(), p.id);
    }
  }

  private void message(PeerId from, Rpc.Message m, MessageId id, long now) {
    if (!mesh.containsKey(m.topic())) {
      return; // not subscribed: not ours to relay (gossipsub relays subscribed topics only)
    }
    promises.remove(id);
    if (!seen.add(id, now)) {
      score.duplicate(from, id, m.topic(), now);
      return;
    }
    if (validating.size() >= config.maxPendingValidations()) {
      // At the limit we IGNORE (no penalty) and forget the id: we never looked at the message, so
      // a copy that arrives when there is room must be validated, not dropped as seen.
      seen.remove(id);
      LOG.debug("validation queue full; ignoring {} from {}", id, from.shortString());
      return;
    }
    score.validationStarted(from, id, now);
    validating.put(
        id, new Validating(from, m.topic(), now + config.validationTimeout().toMillis()));
    Validator validator = validators.getOrDefault(m.topic(), Validator.acceptAll());
    SignaturePolicy policy = config.signaturePolicy();
    CompletableFuture<Validated> done =
        CompletableFuture.supplyAsync(() -> MessageSigning.check(policy, m), worker)
            .thenCompose(
                checked -> {
                  GossipMessage view =
                      new GossipMessage(
                          m.topic(),
                          m.data() == null ? new byte[0] : m.data(),
                          id,
                          checked.author(),
                          checked.seqno(),
                          from);
                  if (!(checked.result() instanceof ValidationResult.Accept)) {
                    return CompletableFuture.completedFuture(
                        new Validated(from, id, m, view, checked.result()));
                  }
                  return validator
                      .validate(view)
                      .thenApply(r -> new Validated(from, id, m, view, r));
                });
    done.whenCompleteAsync(
        (v, e) ->
            post.accept(
                v != null
                    ? v
                    : new Validated(
                        from, id, m, null, ValidationResult.ignore("validator failed: " + e))),
        worker);
  }

  private void validated(Validated v) {
    if (validating.remove(v.id()) == null) {
      // We stopped waiting (validationTimeout) and counted it as IGNORE: the late answer is moot.
      LOG.debug("late validation result for {} dropped: {}", v.id(), v.result());
      return;
    }
    long now = clock.millis();
    String topic = v.message().topic();
    switch (v.result()) {
      case ValidationResult.Accept a -> {
        score.accepted(v.from(), v.id(), topic, now);
        mcache.put(v.id(), v.message());
        if (mesh.containsKey(topic)) {
          output.deliver(v.view());
        }
        forward(v.message(), v.from(), v.view().author().orElse(null));
      }
      case ValidationResult.Reject r -> {
        LOG.debug("rejected {} from {}: {}", v.id(), v.from().shortString(), r.reason());
        score.rejected(v.from(), v.id(), topic, true);
        output.rejected(v.from(), topic, r.reason());
      }
      case ValidationResult.Ignore i -> {
        if (i.retryLater()) {
          // Not judged (the application was busy): forget it, so an honest copy that arrives
          // later is validated instead of being dropped as seen for seenTtl. No penalty, and no
          // delivery record either (the next copy starts a fresh one).
          LOG.debug(
              "{} from {} not validated, retry later: {}",
              v.id(),
              v.from().shortString(),
              i.reason());
          seen.remove(v.id());
          score.forget(v.id());
        } else {
          score.rejected(v.from(), v.id(), topic, false);
        }
      }
    }
  }

  private void forward(Rpc.Message m, PeerId source, PeerId author) {
    Set<PeerId> targets = new LinkedHashSet<>(mesh.getOrDefault(m.topic(), Set.of()));
    for (PeerId id : topicPeers.getOrDefault(m.topic(), Set.of())) {
      Peer p = peers.get(id);
      if (p != null && p.floodsub()) {
        targets.add(id);
      }
    }
    targets.remove(source);
    if (author != null) {
      targets.remove(author);
    }
    for (PeerId t : targets) {
      pending(t).messages.add(m);
    }
  }

  private void ihave(Peer p, List<Rpc.IHave> ihaves) {
    if (ihaves.isEmpty()) {
      return;
    }
    p.ihaves++;
    if (p.ihaves > config.maxIHaveMessages() || p.asked >= config.maxIHaveLength()) {
      return; // spam protection: at the per-heartbeat limit further IHAVEs are ignored
    }
    // Linear and capped: one hash lookup per id, and at most maxIHaveLength ids examined per RPC
    // (the most we could ask for), so an IHAVE of 10,000 ids costs what one of 5,000 does.
    int budget = config.maxIHaveLength();
    Set<MessageId> unseen = new LinkedHashSet<>();
    examine:
    for (Rpc.IHave h : ihaves) {
      if (!mesh.containsKey(h.topic())) {
        continue;
      }
      for (MessageId id : h.ids()) {
        if (budget-- <= 0) {
          break examine;
        }
        if (!seen.contains(id)) {
          unseen.add(id);
        }
      }
    }
    if (unseen.isEmpty()) {
      return;
    }
    List<MessageId> want = new ArrayList<>(unseen);
    Collections.shuffle(want, random);
    int room = config.maxIHaveLength() - p.asked;
    if (want.size() > room) {
      want = new ArrayList<>(want.subList(0, room));
    }
    p.asked += want.size();
    // One promise per IWANT, for a random one of its ids (as go does): a peer whose message has
    // just left its cache is not punished once per id.
    long expiry = clock.millis() + config.iwantFollowup().toMillis();
    promises.computeIfAbsent(want.get(0), k -> new HashMap<>()).putIfAbsent(p.id, expiry);
    pending(p.id).iwant.add(new Rpc.IWant(want));
  }

  private void iwant(Peer p, List<Rpc.IWant> iwants) {
    for (Rpc.IWant w : iwants) {
      for (MessageId id : w.ids()) {
        Rpc.Message m = mcache.getForPeer(id, p.id, config.gossipRetransmission());
        if (m != null) {
          pending(p.id).messages.add(m);
        }
      }
    }
  }

  private void graft(Peer p, String topic, long now) {
    if (p.floodsub()) {
      return;
    }
    Set<PeerId> m = mesh.get(topic);
    if (m == null) {
      // Spec (v1.0 GRAFT): a router not subscribed answers PRUNE so the sender drops its link.
      // No PX (it would leak our peers to anyone naming a topic) and no backoff entry of ours
      // (topics we are not in must not grow our state); answers per heartbeat are bounded.
      if (p.unknownGrafts++ < MAX_UNKNOWN_TOPIC_GRAFTS) {
        pending(p.id).prune.add(pruneFor(p, topic, config.pruneBackoff().toMillis(), false));
      }
      return;
    }
    if (m.contains(p.id)) {
      return;
    }
    Long until = backoffUntil(topic, p.id, now);
    if (until != null) {
      // GRAFT inside our backoff: P7 penalty, a second one inside the flood threshold, PRUNE
      // again (which refreshes the backoff) and no PX for a peer that ignores our backoff.
      score.addPenalty(p.id, 1);
      long pruned = until - config.pruneBackoff().toMillis();
      if (now < pruned + config.graftFloodThreshold().toMillis()) {
        score.addPenalty(p.id, 1);
      }
      sendPrune(p, topic, now, false);
      return;
    }
    if (score.score(p.id, now) < 0) {
      sendPrune(p, topic, now, false);
      return;
    }
    if (m.size() >= config.dHi() && !p.outbound) {
      sendPrune(p, topic, now, true);
      return;
    }
    m.add(p.id);
    score.graft(p.id, topic, now);
  }

  private void prune(Peer p, Rpc.Prune pr, long now) {
    Set<PeerId> m = mesh.get(pr.topic());
    if (m != null && m.remove(p.id)) {
      score.prune(p.id, pr.topic());
    }
    long backoffMillis =
        pr.backoffSeconds() != null
            ? Math.min(pr.backoffSeconds(), 24 * 3600L) * 1000
            : config.pruneBackoff().toMillis();
    setBackoff(pr.topic(), p.id, now + backoffMillis);
    if (!pr.peers().isEmpty()) {
      followPx(p, pr.peers(), now);
    }
  }

  /**
   * Peer exchange from a PRUNE: connect to up to {@code prunePeers} of the offered peers, within
   * the per-heartbeat budget {@code maxPxDials}, if the pruning peer's score is at least {@code
   * acceptPx}. Peers we already have, ourselves and undecodable ids are skipped. Records are
   * verified, and banned or unreachable peers skipped, by whoever does the dialling ({@link
   * Output#connect}): signature checks and dials stay off this thread.
   */
  private void followPx(Peer from, List<Rpc.PeerExchange> offered, long now) {
    double s = score.score(from.id, now);
    if (s < config.thresholds().acceptPx()) {
      LOG.debug("ignoring PX from {}: score {} below acceptPx", from.id.shortString(), s);
      return;
    }
    List<Rpc.PeerExchange> px = new ArrayList<>(offered);
    Collections.shuffle(px, random);
    int taken = 0;
    for (Rpc.PeerExchange e : px) {
      if (taken >= config.prunePeers() || pxDials >= config.maxPxDials()) {
        break;
      }
      PeerId id;
      try {
        id = PeerId.decode(e.peerId());
      } catch (ProtocolException bad) {
        LOG.debug("{} sent a bad PX peer id", from.id.shortString());
        continue;
      }
      Peer known = peers.get(id);
      if (id.equals(self) || (known != null && known.up)) {
        continue;
      }
      taken++;
      pxDials++;
      output.connect(id, e.signedPeerRecord());
    }
  }

  // ---- local API ---------------------------------------------------------------------------

  private void join(String topic) {
    if (mesh.containsKey(topic)) {
      return;
    }
    for (Peer p : peers.values()) {
      if (p.up) {
        pending(p.id).subs.add(new Rpc.SubOpts(true, topic));
      }
    }
    long now = clock.millis();
    Set<PeerId> m = new LinkedHashSet<>();
    Set<PeerId> f = fanout.remove(topic);
    fanoutLastPublish.remove(topic);
    if (f != null) {
      for (PeerId id : f) {
        if (m.size() < config.d() && score.score(id, now) >= 0) {
          m.add(id);
        }
      }
    }
    mesh.put(topic, m);
    List<PeerId> more = candidates(topic, now, m, 0);
    for (PeerId id : more.subList(0, Math.min(more.size(), config.d() - m.size()))) {
      m.add(id);
    }
    for (PeerId id : m) {
      pending(id).graft.add(new Rpc.Graft(topic));
      score.graft(id, topic, now);
    }
  }

  private void leave(String topic) {
    Set<PeerId> m = mesh.remove(topic);
    if (m == null) {
      return;
    }
    for (Peer p : peers.values()) {
      if (p.up) {
        pending(p.id).subs.add(new Rpc.SubOpts(false, topic));
      }
    }
    long now = clock.millis();
    for (PeerId id : m) {
      score.prune(id, topic);
      Peer p = peers.get(id);
      if (p != null) {
        pending(id).prune.add(pruneFor(p, topic, config.unsubscribeBackoff().toMillis(), true));
      }
      setBackoff(topic, id, now + config.unsubscribeBackoff().toMillis());
    }
  }

  private void publish(Publish c) {
    long now = clock.millis();
    Rpc.Message m = c.message();
    if (!seen.add(c.id(), now) && !c.again()) {
      c.reply().completeExceptionally(new IllegalStateException("duplicate message " + c.id()));
      return;
    }
    mcache.put(c.id(), m);
    String topic = m.topic();
    Set<PeerId> targets = new LinkedHashSet<>();
    Set<PeerId> known = topicPeers.getOrDefault(topic, Set.of());
    if (config.floodPublish()) {
      for (PeerId id : known) {
        if (score.score(id, now) >= config.thresholds().publish()) {
          targets.add(id);
        }
      }
    } else if (mesh.containsKey(topic)) {
      targets.addAll(mesh.get(topic));
    } else {
      Set<PeerId> f = fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
      if (f.isEmpty()) {
        for (PeerId id : shuffled(known)) {
          Peer p = peers.get(id);
          if (f.size() < config.d()
              && p != null
              && p.up
              && !p.floodsub()
              && score.score(id, now) >= config.thresholds().publish()) {
            f.add(id);
          }
        }
      }
      targets.addAll(f);
      fanoutLastPublish.put(topic, now);
    }
    for (PeerId id : known) {
      Peer p = peers.get(id);
      if (p != null && p.floodsub()) {
        targets.add(id);
      }
    }
    int sent = 0;
    for (PeerId id : targets) {
      Peer p = peers.get(id);
      if (p != null && p.up) {
        pending(id).messages.add(m);
        sent++;
      }
    }
    c.reply().complete(new PublishResult(c.id(), sent));
  }

  // ---- heartbeat ---------------------------------------------------------------------------

  private void heartbeat() {
    long now = clock.millis();
    ticks++;
    score.refresh(now);
    for (Peer p : peers.values()) {
      p.ihaves = 0;
      p.asked = 0;
      p.unknownGrafts = 0;
    }
    pxDials = 0;
    expireValidations(now);
    expireBackoffs(now);
    brokenPromises(now);
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      maintainMesh(e.getKey(), e.getValue(), now);
    }
    maintainFanout(now);
    emitGossip(now);
    mcache.shift();
    seen.expire(now);
  }

  private void maintainMesh(String topic, Set<PeerId> m, long now) {
    Map<PeerId, Double> scores = new HashMap<>();
    for (PeerId id : m) {
      scores.put(id, score.score(id, now));
    }
    for (Iterator<PeerId> it = m.iterator(); it.hasNext(); ) {
      PeerId id = it.next();
      Peer p = peers.get(id);
      if (p == null || !p.up || scores.get(id) < 0) {
        it.remove();
        score.prune(id, topic);
        if (p != null && p.up) {
          sendPrune(p, topic, now, false); // a negative score: no PX for it
        }
      }
    }
    if (m.size() < config.dLo()) {
      graftAll(topic, m, candidates(topic, now, m, 0), config.d() - m.size(), now);
    }
    if (m.size() > config.dHi()) {
      List<PeerId> byScore = new ArrayList<>(m);
      Collections.shuffle(byScore, random);
      byScore.sort(Comparator.comparingDouble((PeerId id) -> -score.score(id, now)));
      List<PeerId> keep = new ArrayList<>(byScore.subList(0, config.dScore()));
      List<PeerId> rest = new ArrayList<>(byScore.subList(config.dScore(), byScore.size()));
      Collections.shuffle(rest, random);
      keep.addAll(rest.subList(0, config.d() - config.dScore()));
      List<PeerId> dropped =
          new ArrayList<>(rest.subList(config.d() - config.dScore(), rest.size()));
      // Keep at least D_out outbound peers: swap dropped outbound peers for kept inbound ones.
      int outbound = (int) keep.stream().filter(this::isOutbound).count();
      for (int i = 0; outbound < config.dOut() && i < dropped.size(); i++) {
        PeerId candidate = dropped.get(i);
        if (!isOutbound(candidate)) {
          continue;
        }
        for (int j = keep.size() - 1; j >= config.dScore(); j--) {
          if (!isOutbound(keep.get(j))) {
            dropped.set(i, keep.get(j));
            keep.set(j, candidate);
            outbound++;
            break;
          }
        }
      }
      for (PeerId id : dropped) {
        m.remove(id);
        score.prune(id, topic);
        sendPrune(peers.get(id), topic, now, true);
      }
    }
    if (m.size() >= config.dLo()) {
      int outbound = (int) m.stream().filter(this::isOutbound).count();
      if (outbound < config.dOut()) {
        List<PeerId> out = candidates(topic, now, m, 0).stream().filter(this::isOutbound).toList();
        graftAll(topic, m, out, config.dOut() - outbound, now);
      }
    }
    if (ticks % config.opportunisticGraftTicks() == 0 && m.size() > 1) {
      List<Double> sorted = m.stream().map(id -> score.score(id, now)).sorted().toList();
      double median = sorted.get(sorted.size() / 2);
      if (median < config.thresholds().opportunisticGraft()) {
        List<PeerId> better =
            candidates(topic, now, m, 0).stream()
                .filter(id -> score.score(id, now) > median)
                .toList();
        graftAll(topic, m, better, config.opportunisticGraftPeers(), now);
      }
    }
  }

  private void graftAll(String topic, Set<PeerId> m, List<PeerId> from, int n, long now) {
    for (PeerId id : from.subList(0, Math.max(0, Math.min(n, from.size())))) {
      m.add(id);
      score.graft(id, topic, now);
      pending(id).graft.add(new Rpc.Graft(topic));
    }
  }

  private boolean isOutbound(PeerId id) {
    Peer p = peers.get(id);
    return p != null && p.outbound;
  }

  /** Topic peers that could join the mesh, shuffled: up, gossipsub, not in backoff, score ≥ min. */
  private List<PeerId> candidates(String topic, long now, Set<PeerId> exclude, double min) {
    List<PeerId> out = new ArrayList<>();
    for (PeerId id : topicPeers.getOrDefault(topic, Set.of())) {
      Peer p = peers.get(id);
      if (p != null
          && p.up
          && !p.floodsub()
          && !exclude.contains(id)
          && backoffUntil(topic, id, now) == null
          && score.score(id, now) >= min) {
        out.add(id);
      }
    }
    Collections.shuffle(out, random);
    return out;
  }

  private void maintainFanout(long now) {
    for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Set<PeerId>> e = it.next();
      String topic = e.getKey();
      if (fanoutLastPublish.getOrDefault(topic, 0L) + config.fanoutTtl().toMillis() < now) {
        it.remove();
        fanoutLastPublish.remove(topic);
        continue;
      }
      Set<PeerId> f = e.getValue();
      Set<PeerId> known = topicPeers.getOrDefault(topic, Set.of());
      f.removeIf(id -> !known.contains(id) || score.score(id, now) < config.thresholds().publish());
      if (f.size() < config.d()) {
        for (PeerId id : candidates(topic, now, f, config.thresholds().publish())) {
          if (f.size() >= config.d()) {
            break;
          }
          f.add(id);
        }
      }
    }
  }

  private void emitGossip(long now) {
    Set<String> topics = new HashSet<>(mesh.keySet());
    topics.addAll(fanout.keySet());
    for (String topic : topics) {
      List<MessageId> ids = mcache.gossipIds(topic);
      if (ids.isEmpty()) {
        continue;
      }
      Set<PeerId> exclude = new HashSet<>(mesh.getOrDefault(topic, Set.of()));
      exclude.addAll(fanout.getOrDefault(topic, Set.of()));
      List<PeerId> eligible = new ArrayList<>();
      for (PeerId id : topicPeers.getOrDefault(topic, Set.of())) {
        Peer p = peers.get(id);
        if (p != null
            && p.up
            && !p.floodsub()
            && !exclude.contains(id)
            && score.score(id, now) >= config.thresholds().gossip()) {
          eligible.add(id);
        }
      }
      Collections.shuffle(eligible, random);
      int n = Math.max(config.dLazy(), (int) (config.gossipFactor() * eligible.size()));
      for (PeerId id : eligible.subList(0, Math.min(n, eligible.size()))) {
        List<MessageId> send = ids;
        if (ids.size() > config.maxIHaveLength()) {
          send = new ArrayList<>(ids);
          Collections.shuffle(send, random);
          send = send.subList(0, config.maxIHaveLength());
        }
        pending(id).ihave.add(new Rpc.IHave(topic, send));
      }
    }
  }

  /** Validators that did not answer in time count as IGNORE; their slots are freed. */
  private void expireValidations(long now) {
    for (Iterator<Map.Entry<MessageId, Validating>> it = validating.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<MessageId, Validating> e = it.next();
      Validating v = e.getValue();
      if (v.deadline() > now) {
        break;
      }
      it.remove();
      LOG.debug("validation of {} from {} timed out", e.getKey(), v.from().shortString());
      score.rejected(v.from(), e.getKey(), v.topic(), false);
    }
  }

  private void brokenPromises(long now) {
    Map<PeerId, Integer> broken = new HashMap<>();
    for (Iterator<Map<PeerId, Long>> it = promises.values().iterator(); it.hasNext(); ) {
      Map<PeerId, Long> byPeer = it.next();
      byPeer
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue() <= now) {
                  broken.merge(e.getKey(), 1, Integer::sum);
                  return true;
                }
                return false;
              });
      if (byPeer.isEmpty()) {
        it.remove();
      }
    }
    broken.forEach((peer, n) -> score.addPenalty(peer, n));
  }

  // ---- backoff and PRUNE -------------------------------------------------------------------

  private Long backoffUntil(String topic, PeerId id, long now) {
    Map<PeerId, Long> b = backoff.get(topic);
    Long until = b == null ? null : b.get(id);
    return until != null && until > now ? until : null;
  }

  private void setBackoff(String topic, PeerId id, long until) {
    backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(id, until, Math::max);
  }

  private void expireBackoffs(long now) {
    // One heartbeat of slack, as the spec asks, before a peer may be grafted again.
    long slack = config.heartbeat().toMillis();
    for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext(); ) {
      Map<PeerId, Long> b = it.next();
      b.values().removeIf(until -> until + slack < now);
      if (b.isEmpty()) {
        it.remove();
      }
    }
  }

  private void sendPrune(Peer p, String topic, long now, boolean px) {
    setBackoff(topic, p.id, now + config.pruneBackoff().toMillis());
    if (p.up) {
      pending(p.id).prune.add(pruneFor(p, topic, config.pruneBackoff().toMillis(), px));
    }
  }

  /**
   * A PRUNE for {@code p}. With {@code px} and {@code doPx}, and only to a v1.1 peer with a
   * non-negative score, it offers up to {@code prunePeers} other topic peers with non-negative
   * scores (spec: "when performing PX only peers with non-negative scores are exchanged"). Ids
   * only: we hold no signed peer records of other peers, and the spec lets us omit them.
   */
  private Rpc.Prune pruneFor(Peer p, String topic, long backoffMillis, boolean px) {
    if (!p.v11()) {
      return new Rpc.Prune(topic, List.of(), null);
    }
    long now = clock.millis();
    List<Rpc.PeerExchange> peersOut = new ArrayList<>();
    if (px && config.doPx() && score.score(p.id, now) >= 0) {
      for (PeerId id : shuffled(topicPeers.getOrDefault(topic, Set.of()))) {
        if (peersOut.size() >= config.prunePeers()) {
          break;
        }
        Peer other = peers.get(id);
        if (!id.equals(p.id)
            && other != null
            && other.up
            && !other.floodsub()
            && score.score(id, now) >= 0) {
          peersOut.add(new Rpc.PeerExchange(id.bytes(), null));
        }
      }
    }
    return new Rpc.Prune(topic, peersOut, backoffMillis / 1000);
  }

  // ---- output ------------------------------------------------------------------------------

  private Pending pending(PeerId id) {
    return pending.computeIfAbsent(id, k -> new Pending());
  }

  private void flush() {
    for (Map.Entry<PeerId, Pending> e : pending.entrySet()) {
      Peer p = peers.get(e.getKey());
      if (p == null || !p.up) {
        continue;
      }
      Pending out = e.getValue();
      if (p.floodsub()) {
        // floodsub peers understand subscriptions and messages only
        out.ihave.clear();
        out.iwant.clear();
        out.graft.clear();
        out.prune.clear();
      }
      Rpc rpc = out.build();
      if (!rpc.isEmpty()) {
        output.send(e.getKey(), rpc);
      }
    }
    pending.clear();
  }

  private <T> List<T> shuffled(Set<T> set) {
    List<T> l = new ArrayList<>(set);
    Collections.shuffle(l, random);
    return l;
  }

  // ---- views for tests and metrics ---------------------------------------------------------

  Set<PeerId> mesh(String topic) {
    return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
  }

  Set<PeerId> fanout(String topic) {
    return Set.copyOf(fanout.getOrDefault(topic, Set.of()));
  }

  int seenSize() {
    return seen.size();
  }

  boolean seen(MessageId id) {
    return seen.contains(id);
  }

  int cachedMessages() {
    return mcache.size();
  }

  int pendingValidations() {
    return validating.size();
  }

  boolean inBackoff(String topic, PeerId peer) {
    return backoffUntil(topic, peer, clock.millis()) != null;
  }

  static boolean sameBytes(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
