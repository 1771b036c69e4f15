package dev.cairn.p2p.gossip;

import dev.cairn.p2p.gossip.GossipCommand.MeshPeers;
import dev.cairn.p2p.gossip.GossipCommand.Misbehaved;
import dev.cairn.p2p.gossip.GossipCommand.OpenFailed;
import dev.cairn.p2p.gossip.GossipCommand.OutboundDown;
import dev.cairn.p2p.gossip.GossipCommand.PeerDown;
import dev.cairn.p2p.gossip.GossipCommand.PeerOpening;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
 * <p>It routes each command to its parts, which share this thread: {@link GossipPeers} (peers and
 * their topics), {@link Mesh} (meshes and fanout), {@link Gossip} (IHAVE/IWANT and promises),
 * {@link Backoff} (backoff and peer exchange), {@link Validation} (messages in validation) and
 * {@link Outbox}. Effects leave through {@link Output} (RPCs to peers, messages to the
 * application), batched per command by the outbox so that control messages piggyback on one RPC per
 * peer. Validation runs on {@code worker} and its result comes back through {@code post} as a
 * {@link Validated} command: the state never waits for it.
 */
final class GossipState {
  private static final Logger LOG = LogManager.getLogger();

  static final String MESHSUB_12 = "/meshsub/1.2.0";
  static final String MESHSUB_11 = "/meshsub/1.1.0";
  static final String MESHSUB_10 = "/meshsub/1.0.0";
  static final String FLOODSUB = "/floodsub/1.0.0";

  /** See {@link Mesh#MAX_UNKNOWN_TOPIC_GRAFTS}. */
  static final int MAX_UNKNOWN_TOPIC_GRAFTS = Mesh.MAX_UNKNOWN_TOPIC_GRAFTS;

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

  private final GossipConfig config;
  private final Clock clock;
  private Thread owner;

  private final GossipPeers peers = new GossipPeers();
  private final GossipCounters counters;
  private final SeenCache seen;
  private final MessageCache mcache;
  private final PeerScore score;
  private final Outbox outbox;
  private final Backoff backoff;
  private final Mesh mesh;
  private final Gossip gossip;
  private final Validation validation;
  private final DontWant dontWant;

  GossipState(
      GossipConfig config,
      PeerId self,
      Clock clock,
      Random random,
      Output output,
      Executor worker,
      Consumer<GossipCommand> post,
      GossipCounters counters) {
    this.config = config;
    this.counters = counters;
    this.clock = clock;
    this.seen = new SeenCache(config.seenTtl().toMillis(), config.seenCacheSize());
    this.mcache =
        new MessageCache(config.mcacheLen(), config.mcacheGossip(), config.mcacheMaxMessages());
    this.score =
        new PeerScore(
            config.score(), config.seenTtl().toMillis(), config.seenCacheSize(), clock.millis());
    this.outbox = new Outbox(peers, output, config.maxHeldBytes(), counters);
    GossipPart.Shared shared =
        new GossipPart.Shared(config, clock, random, peers, score, outbox, seen, mcache);
    this.backoff = new Backoff(shared, self, output);
    this.mesh = new Mesh(shared, backoff);
    this.gossip = new Gossip(shared, mesh);
    this.dontWant = new DontWant(shared, mesh, counters);
    this.validation = new Validation(shared, mesh, dontWant, output, worker, post, counters);
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
        case PeerOpening c -> peers.getOrAdd(c.peer()).opening = true;
        case OpenFailed c -> openFailed(c.peer());
        case PeerUp c -> peerUp(c);
        case PeerDown c -> peerDown(c.peer());
        case OutboundDown c -> outboundDown(c.peer());
        case RpcIn c -> rpcIn(c);
        case Misbehaved c -> {
          LOG.debug("{} sent a bad RPC: {}", c.peer().shortString(), c.reason());
          score.addPenalty(c.peer(), 1);
        }
        case Validated c -> validation.validated(c);
        case Tick c -> heartbeat();
        case Subscribe c -> {
          mesh.join(c.topic());
          c.reply().complete(null);
        }
        case Unsubscribe c -> {
          mesh.leave(c.topic());
          c.reply().complete(null);
        }
        case Publish c -> publish(c);
        case SetValidator c -> {
          validation.setValidator(c.topic(), c.validator());
          c.reply().complete(null);
        }
        case SetAppScore c -> score.setAppScore(c.peer(), c.score());
        case MeshPeers c -> c.reply().complete(Set.copyOf(mesh.meshOf(c.topic())));
        case TopicPeers c -> c.reply().complete(Set.copyOf(peers.inTopic(c.topic())));
        case Score c -> c.reply().complete(score.score(c.peer(), clock.millis()));
      }
    } finally {
      outbox.flush();
      counters.heldBytes = outbox.heldBytes();
      counters.pendingValidationBytes = validation.pendingBytes();
    }
  }

  // ---- peers -------------------------------------------------------------------------------

  private void peerUp(PeerUp c) {
    GossipPeers.Peer p = peers.getOrAdd(c.peer());
    p.protocol = c.protocol();
    p.outbound = c.outbound();
    p.up = true;
    p.opening = false;
    score.addPeer(c.peer(), c.ip());
    if (p.floodsub()) {
      // grafted or put in a fanout while its protocol was unknown: floodsub peers have no mesh
      for (String t : p.topics) {
        mesh.removeFromTopic(t, p.id);
      }
    }
    // What was held while the stream opened goes out with our subscriptions, in one RPC.
    outbox.release(c.peer());
    if (!mesh.topics().isEmpty()) {
      Outbox.Pending out = outbox.to(c.peer());
      mesh.topics().forEach(t -> out.subs.add(new Rpc.SubOpts(true, t)));
    }
  }

  /** Our stream to {@code id} could not be opened: nothing held for it will be sent. */
  private void openFailed(PeerId id) {
    GossipPeers.Peer p = peers.get(id);
    if (p != null && !p.up) {
      p.opening = false;
      outbox.drop(id);
    }
  }

  /**
   * Our stream to {@code id} failed but its connection lives: nothing more goes out until a new
   * stream opens, and everything learnt from the peer's own stream (topics, meshes, score, its
   * IDONTWANTs) stays. If no new stream opens, the heartbeat takes it out of the meshes.
   */
  private void outboundDown(PeerId id) {
    GossipPeers.Peer p = peers.get(id);
    if (p == null) {
      return;
    }
    p.up = false;
    outbox.drop(id);
  }

  private void peerDown(PeerId id) {
    GossipPeers.Peer p = peers.remove(id);
    if (p == null) {
      return;
    }
    for (String t : p.topics) {
      removeFromTopic(t, id);
    }
    score.removePeer(id, clock.millis());
    outbox.drop(id);
  }

  private void removeFromTopic(String topic, PeerId id) {
    peers.removeFromTopic(topic, id);
    mesh.removeFromTopic(topic, id);
  }

  double scoreOf(PeerId peer) {
    return score.score(peer, clock.millis());
  }

  // ---- inbound RPCs ------------------------------------------------------------------------

  private void rpcIn(RpcIn c) {
    PeerId from = c.peer();
    GossipPeers.Peer p = peers.getOrAdd(from);
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
      dontWant.received(p, control.idontwant(), now);
      gossip.ihave(p, control.ihave());
      gossip.iwant(p, control.iwant());
    }
    for (Rpc.Graft g : control.graft()) {
      mesh.graft(p, g.topic(), now);
    }
    for (Rpc.Prune pr : control.prune()) {
      mesh.pruned(p, pr, now);
    }
  }

  private void subscription(GossipPeers.Peer p, Rpc.SubOpts s) {
    if (s.subscribe()) {
      if (p.topics.contains(s.topic())) {
        return;
      }
      if (p.topics.size() >= config.maxTopicsPerPeer()) {
        score.addPenalty(p.id, 1);
        return;
      }
      p.topics.add(s.topic());
      peers.addToTopic(s.topic(), p.id);
    } else if (p.topics.remove(s.topic())) {
      removeFromTopic(s.topic(), p.id);
    }
  }

  private void message(PeerId from, Rpc.Message m, MessageId id, long now) {
    if (!mesh.joined(m.topic())) {
      return; // not subscribed: not ours to relay (gossipsub relays subscribed topics only)
    }
    gossip.arrived(id);
    if (!seen.add(id, now)) {
      score.duplicate(from, id, m.topic(), now);
      return;
    }
    // v1.2: tell the mesh at once (before validation) that we have it, if it is large
    dontWant.arrived(from, m, id);
    validation.start(from, m, id, now);
  }

  // ---- local API ---------------------------------------------------------------------------

  private void publish(Publish c) {
    long now = clock.millis();
    Rpc.Message m = c.message();
    if (!seen.add(c.id(), now) && !c.again()) {
      c.reply().completeExceptionally(new IllegalStateException("duplicate message " + c.id()));
      return;
    }
    mcache.put(c.id(), m);
    int sent = 0;
    for (PeerId id : mesh.publishTargets(m.topic(), now)) {
      GossipPeers.Peer p = peers.get(id);
      if (p != null && p.reachable()) {
        outbox.to(id).messages.add(m); // held by the outbox while our stream to it opens
        sent++;
      }
    }
    c.reply().complete(new PublishResult(c.id(), sent));
  }

  // ---- heartbeat ---------------------------------------------------------------------------

  private void heartbeat() {
    long now = clock.millis();
    score.refresh(now);
    peers.newHeartbeat();
    dontWant.heartbeat(now);
    validation.expire(now);
    backoff.heartbeat(now);
    gossip.brokenPromises(now);
    mesh.heartbeat(now);
    gossip.emit(now);
    mcache.shift();
    seen.expire(now);
  }

  // ---- views for tests and metrics ---------------------------------------------------------

  Set<PeerId> mesh(String topic) {
    return Set.copyOf(mesh.meshOf(topic));
  }

  Set<PeerId> fanout(String topic) {
    return Set.copyOf(mesh.fanoutOf(topic));
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

  int dontWantKept(PeerId peer) {
    return dontWant.kept(peer);
  }

  long heldBytes(PeerId peer) {
    return outbox.heldBytes(peer);
  }

  GossipCounters counters() {
    return counters;
  }

  int pendingValidations() {
    return validation.pending();
  }

  long pendingValidationBytes() {
    return validation.pendingBytes();
  }

  boolean inBackoff(String topic, PeerId peer) {
    return backoff.until(topic, peer, clock.millis()) != null;
  }

  static boolean sameBytes(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
