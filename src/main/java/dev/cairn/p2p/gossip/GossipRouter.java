package dev.cairn.p2p.gossip;

import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.gossip.GossipCommand.Connected;
import dev.cairn.p2p.gossip.GossipCommand.Disconnected;
import dev.cairn.p2p.gossip.GossipCommand.MeshPeers;
import dev.cairn.p2p.gossip.GossipCommand.Misbehaved;
import dev.cairn.p2p.gossip.GossipCommand.OpenFailed;
import dev.cairn.p2p.gossip.GossipCommand.OutboundClosed;
import dev.cairn.p2p.gossip.GossipCommand.OutboundDown;
import dev.cairn.p2p.gossip.GossipCommand.OutboundFailed;
import dev.cairn.p2p.gossip.GossipCommand.OutboundOpened;
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
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The gossipsub v1.2 router on a {@link Host}: {@code /meshsub/1.2.0}, {@code /meshsub/1.1.0} and
 * {@code /meshsub/1.0.0}, with {@code /floodsub/1.0.0} peers served as receivers and forward
 * targets.
 *
 * <p>Threading (DESIGN.md "one owner"): all protocol state lives in a {@link GossipState} stepped
 * by an {@link Owner} on one virtual thread, {@code gossip-router-<peer>}, which takes {@link
 * GossipCommand}s from a bounded mailbox of {@link GossipConfig#mailbox()} entries. Full-policy:
 * {@link FullPolicy#BACK_PRESSURE} for local callers (the public methods, connection events,
 * validation verdicts), which wait up to {@link #CALL_TIMEOUT} and then fail; {@link
 * FullPolicy#DROP_AND_COUNT} for a peer's RPC, which is dropped and the peer penalised on its next
 * RPC that gets through. Heartbeat ticks come from the shared scheduler and are dropped (the next
 * one comes) when the mailbox is full. Per peer, one reader thread (the inbound stream's handler)
 * decodes and posts RPCs, and one {@link PeerSender} writes our outbound stream. Validation runs on
 * worker virtual threads and posts its verdict back. Peer exchange dials run on their own virtual
 * threads ({@link PxDialer}); the owner never waits for them.
 *
 * <p>The public methods may be called from any thread.
 */
public final class GossipRouter implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  /** How long a local caller waits for room in the mailbox or for the router's answer. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Host standing a peer loses for each message the application REJECTs (on top of its gossip
   * score's P4): an honest peer validates before it forwards, so it never sends one. Five within a
   * few minutes reach the host's ban threshold (-100, recovering 10 points a minute).
   */
  public static final int REJECT_PENALTY = 20;

  private static final Duration FIRST_HEARTBEAT = Duration.ofMillis(100);

  /** Protocol ids we speak, preferred first. */
  public static final List<String> PROTOCOLS =
      List.of(
          GossipState.MESHSUB_12,
          GossipState.MESHSUB_11,
          GossipState.MESHSUB_10,
          GossipState.FLOODSUB);

  /** Opens our outbound pubsub stream on a connection (a seam for tests that hold it open). */
  interface StreamOpener {
    Stream open(Connection c, List<String> protocols) throws IOException;
  }

  private final Host host;
  private final GossipConfig config;
  private final GossipCodec.Limits limits;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final GossipState state;
  private final PxDialer pxDialer;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final AtomicLong seqno = new AtomicLong();
  private final Owner<GossipCommand> owner;
  private final GossipCounters counters = new GossipCounters();
  private final StreamOpener opener;

  /** Bytes ({@link Rpc#wireSize()}) of peers' RPCs posted and not yet handled by the owner. */
  private final AtomicLong inboundBytes = new AtomicLong();

  private volatile boolean running = true;

  // Changed by the owner thread only (a concurrent map so that stats() may sum the queues):
  private final Map<PeerId, PeerSender> senders = new ConcurrentHashMap<>();

  // Owned by the owner thread:
  private final Set<PeerId> opening = new HashSet<>();

  /**
   * Connected peers our stream to which could not be opened: their RPCs do not make us try again (a
   * peer refusing our stream must not make each of its RPCs cost us a stream attempt); a new
   * connection does. Emptied of a peer when its last connection closes.
   */
  private final Set<PeerId> openFailed = new HashSet<>();

  private GossipRouter(
      Host host, GossipConfig config, Clock clock, long seed, StreamOpener opener) {
    this.host = host;
    this.config = config;
    this.opener = opener;
    this.limits = GossipCodec.Limits.of(config);
    this.pxDialer = new PxDialer(host, Math.max(1, config.maxPxDials()));
    // seqno: start from wall-clock nanoseconds and count up, as go and js do, so that a restarted
    // node's seqnos keep increasing.
    this.seqno.set(System.currentTimeMillis() * 1_000_000L);
    GossipState.Output output =
        new GossipState.Output() {
          @Override
          public void send(PeerId peer, Rpc rpc) {
            sendTo(peer, rpc);
          }

          @Override
          public void deliver(GossipMessage m) {
            Subscription s = subscriptions.get(m.topic());
            if (s != null) {
              s.offer(m);
            }
          }

          @Override
          public void connect(PeerId peer, byte[] signedPeerRecord) {
            if (running) {
              pxDialer.connect(peer, signedPeerRecord);
            }
          }

          @Override
          public void rejected(PeerId peer, String topic, String reason) {
            // The host's mailbox may push back; the owner thread never waits for it.
            Thread.ofVirtual()
                .name("gossip-penalize")
                .start(
                    () ->
                        host.penalize(
                            peer, REJECT_PENALTY, "gossip: rejected on " + topic + ": " + reason));
          }
        };
    this.state =
        new GossipState(
            config,
            host.peerId(),
            clock,
            new Random(seed),
            output,
            workers,
            this::postFromWorker,
            counters);
    String name = host.peerId().shortString();
    Duration heartbeat = config.heartbeat();
    this.owner =
        Owner.<GossipCommand>builder("gossip-router-" + name, config.mailbox(), this::dispatch)
            .fullPolicy(FullPolicy.BACK_PRESSURE)
            .backPressureTimeout(CALL_TIMEOUT)
            .onStart(state::bindOwner)
            .failWith(GossipRouter::fail)
            .joinTimeout(CALL_TIMEOUT)
            // first heartbeat soon after start, as go and js do
            .tick(
                heartbeat.compareTo(FIRST_HEARTBEAT) < 0 ? heartbeat : FIRST_HEARTBEAT,
                heartbeat,
                Tick::new)
            .build();
  }

  /** Starts a router on {@code host}: its handlers, and a stream to each peer, now and later. */
  public static GossipRouter start(Host host, GossipConfig config) {
    return start(host, config, Clock.systemUTC(), new Random().nextLong());
  }

  static GossipRouter start(Host host, GossipConfig config, Clock clock, long seed) {
    return start(host, config, clock, seed, Connection::newStream);
  }

  static GossipRouter start(
      Host host, GossipConfig config, Clock clock, long seed, StreamOpener opener) {
    GossipRouter r = new GossipRouter(host, config, clock, seed, opener);
    r.owner.start();
    for (String p : PROTOCOLS) {
      host.setHandler(p, r::serve);
    }
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            r.postLater(new Connected(c));
          }

          @Override
          public void disconnected(Connection c) {
            r.postLater(new Disconnected(c.remotePeer()));
          }
        });
    for (Connection c : host.connections()) {
      r.postLater(new Connected(c));
    }
    return r;
  }

  // ---- public API ----------------------------------------------------------------------------

  /**
   * Joins {@code topic}: announces it, builds a mesh, and hands every accepted message to {@code
   * handler} on the topic's delivery thread, once per message. Replaces an earlier handler.
   */
  public void subscribe(String topic, Consumer<GossipMessage> handler) {
    Subscription old = subscriptions.put(topic, new Subscription(topic, handler));
    if (old != null) {
      old.close();
    }
    this.<Void>call(f -> new Subscribe(topic, f));
  }

  public void unsubscribe(String topic) {
    this.<Void>call(f -> new Unsubscribe(topic, f));
    Subscription s = subscriptions.remove(topic);
    if (s != null) {
      s.close();
    }
  }

  /**
   * Publishes {@code data} on {@code topic} (signed under StrictSign, on the calling thread). The
   * future completes once the router has queued it to its peers.
   *
   * @throws IllegalArgumentException if the message cannot fit in one RPC
   */
  public CompletableFuture<PublishResult> publish(String topic, byte[] data) {
    return publish(topic, data, false);
  }

  /**
   * As {@link #publish(String, byte[])}, but also when a message with this id was seen before: an
   * application re-announcing data whose first announcement may not have reached everyone (a
   * transaction back in the pool after a reorg, say). Peers that saw it drop it as a duplicate.
   */
  public CompletableFuture<PublishResult> publishAgain(String topic, byte[] data) {
    return publish(topic, data, true);
  }

  private CompletableFuture<PublishResult> publish(String topic, byte[] data, boolean again) {
    if (data.length + topic.length() + 256 > config.maxRpcBytes()) {
      throw new IllegalArgumentException(
          "message of " + data.length + " bytes exceeds the RPC limit of " + config.maxRpcBytes());
    }
    Rpc.Message m =
        MessageSigning.author(
            config.signaturePolicy(),
            host.identity(),
            host.peerId(),
            topic,
            data.clone(),
            seqno.incrementAndGet());
    MessageId id = config.messageIdFor(topic).apply(topic, m.from(), m.seqno(), m.data());
    Publish p = new Publish(m, id, again, new CompletableFuture<>());
    if (!offerLocal(p)) {
      return CompletableFuture.failedFuture(new IllegalStateException("gossip router is busy"));
    }
    return p.reply();
  }

  /** Sets the application validator of {@code topic} (null: accept everything). */
  public void setValidator(String topic, Validator validator) {
    this.<Void>call(f -> new SetValidator(topic, validator, f));
  }

  /** The application-specific score (P5) of {@code peer}. */
  public void setAppScore(PeerId peer, double score) {
    offerLocal(new SetAppScore(peer, score));
  }

  public Set<PeerId> meshPeers(String topic) {
    return this.<Set<PeerId>>call(f -> new MeshPeers(topic, f));
  }

  /** Peers known to be subscribed to {@code topic}. */
  public Set<PeerId> topicPeers(String topic) {
    return this.<Set<PeerId>>call(f -> new TopicPeers(topic, f));
  }

  public double score(PeerId peer) {
    return this.<Double>call(f -> new Score(peer, f));
  }

  public GossipConfig config() {
    return config;
  }

  /** What the router dropped at its bounds, and its IDONTWANT traffic, so far. Any thread. */
  public GossipStats stats() {
    long queued = 0;
    for (PeerSender s : senders.values()) {
      queued += s.queuedBytes();
    }
    return counters.snapshot(queued, Math.max(0, inboundBytes.get()));
  }

  /** The host the router runs on (for applications that penalise or ban the peers it names). */
  public Host host() {
    return host;
  }

  /** True while the owner thread runs (false once closed, or after an Error stopped it). */
  public boolean isRunning() {
    return running && owner.isRunning();
  }

  /** The Error that stopped the owner thread, if one did. */
  public Optional<Throwable> failure() {
    return owner.failure();
  }

  /** Stops the router's threads and closes our outbound streams. The host stays open. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    for (String p : PROTOCOLS) {
      host.removeHandler(p);
    }
    owner.close();
    senders.values().forEach(PeerSender::close);
    subscriptions.values().forEach(Subscription::close);
    workers.shutdownNow();
  }

  /** Asks the owner and waits up to {@link #CALL_TIMEOUT} for its answer. */
  private <R> R call(java.util.function.Function<CompletableFuture<R>, GossipCommand> command) {
    if (!running) {
      throw new IllegalStateException("gossip router is busy or closed");
    }
    return owner.ask(command, CALL_TIMEOUT);
  }

  /** Fails the reply of a command the owner did not run (closed, or it threw). */
  private static void fail(GossipCommand c, Throwable t) {
    CompletableFuture<?> reply =
        switch (c) {
          case Subscribe x -> x.reply();
          case Unsubscribe x -> x.reply();
          case Publish x -> x.reply();
          case SetValidator x -> x.reply();
          case MeshPeers x -> x.reply();
          case TopicPeers x -> x.reply();
          case Score x -> x.reply();
          default -> null; // no reply
        };
    if (reply != null) {
      reply.completeExceptionally(t);
    }
  }

  /** Back-pressure for local callers: waits for room up to {@link #CALL_TIMEOUT}. */
  private boolean offerLocal(GossipCommand c) {
    return running && owner.send(c);
  }

  /** For callers that must not block (connection listeners): a virtual thread waits instead. */
  private void postLater(GossipCommand c) {
    Thread.ofVirtual().name("gossip-post").start(() -> offerLocal(c));
  }

  /** Verdicts and closed senders, from workers: wait for room; an interrupted thread posts too. */
  private void postFromWorker(GossipCommand c) {
    boolean interrupted = Thread.interrupted(); // a validator's, or a sender's closed while failing
    if (!offerLocal(c) && running) {
      LOG.warn("gossip mailbox full; {} was lost", c.getClass().getSimpleName());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- owner thread --------------------------------------------------------------------------

  private void dispatch(GossipCommand command) {
    switch (command) {
      case RpcIn c -> {
        // A peer can reach us on its stream before we heard of its connection: start ours now,
        // so that what we send it meanwhile is held, not lost.
        if (!senders.containsKey(c.peer())
            && !opening.contains(c.peer())
            && !openFailed.contains(c.peer())
            && running) {
          host.connections(c.peer()).stream().findFirst().ifPresent(this::openOutbound);
        }
        try {
          state.handle(c);
        } finally {
          inboundBytes.addAndGet(-c.rpc().wireSize());
        }
      }
      case StateCommand c -> state.handle(c);
      case Connected c -> openOutbound(c.connection());
      case Disconnected c -> {
        if (!host.isConnected(c.peer())) {
          openFailed.remove(c.peer());
          PeerSender s = senders.remove(c.peer());
          if (s != null) {
            s.close();
          }
          state.handle(new PeerDown(c.peer()));
        }
      }
      case OutboundOpened c -> {
        PeerId peer = c.sender().peer();
        opening.remove(peer);
        if (senders.containsKey(peer)) {
          c.sender().close();
          return;
        }
        if (!running || !host.isConnected(peer)) {
          c.sender().close();
          state.handle(new OpenFailed(peer));
          return;
        }
        senders.put(peer, c.sender());
        c.sender().start();
        state.handle(new PeerUp(peer, c.sender().protocol(), c.outboundConnection(), c.ip()));
      }
      case OutboundFailed c -> {
        opening.remove(c.peer());
        if (host.isConnected(c.peer())) {
          openFailed.add(c.peer());
        }
        if (!senders.containsKey(c.peer())) {
          state.handle(new OpenFailed(c.peer()));
        }
      }
      case OutboundClosed c -> {
        PeerId peer = c.sender().peer();
        if (senders.get(peer) == c.sender()) {
          senders.remove(peer);
          Optional<Connection> live =
              c.slow() || !running ? Optional.empty() : host.connections(peer).stream().findFirst();
          if (live.isPresent()) {
            // The stream failed but the connection lives: open a new outbound stream. The peer's
            // subscriptions came on its stream to us and are kept (it will not send them again).
            state.handle(new OutboundDown(peer));
            openOutbound(live.get());
            return;
          }
          state.handle(new PeerDown(peer));
          if (c.slow()) {
            counters.slowPeers.incrementAndGet();
            LOG.debug("dropping {}: its outbound queue is full", peer.shortString());
            Thread.ofVirtual().name("gossip-drop").start(() -> host.disconnect(peer));
          }
        }
      }
    }
  }

  private void openOutbound(Connection c) {
    PeerId peer = c.remotePeer();
    if (senders.containsKey(peer) || !opening.add(peer)) {
      return;
    }
    state.handle(new PeerOpening(peer));
    boolean outbound = c.direction() == Connection.Direction.OUTBOUND;
    String ip = ip(c.remoteAddress());
    Thread.ofVirtual()
        .name("gossip-open-" + peer.shortString())
        .start(
            () -> {
              try {
                PeerSender sender =
                    PeerSender.open(
                        opener.open(c, PROTOCOLS),
                        host.resources(),
                        config,
                        (snd, slow) -> postFromWorker(new OutboundClosed(snd, slow)));
                if (!offerLocal(new OutboundOpened(sender, outbound, ip))) {
                  sender.close();
                }
              } catch (IOException e) {
                LOG.debug("no pubsub stream to {}: {}", peer.shortString(), e.getMessage());
                offerLocal(new OutboundFailed(peer));
              }
            });
  }

  private static String ip(Multiaddr a) {
    return a.value(Multiaddr.Protocol.IP4).or(() -> a.value(Multiaddr.Protocol.IP6)).orElse(null);
  }

  /**
   * Output of the state: queue to the peer's writer. A queue at its bound (RPCs or bytes) or
   * refused by the budget takes nothing more: the RPC is dropped and counted, and the peer dropped
   * if it is the slow one ({@link PeerSender#slowAfter}).
   */
  private void sendTo(PeerId peer, Rpc rpc) {
    PeerSender s = senders.get(peer);
    if (s == null) {
      return;
    }
    long bytes = rpc.wireSize();
    PeerSender.Offer offered = s.offer(rpc, bytes);
    if (offered != PeerSender.Offer.QUEUED) {
      counters.queueDropped.incrementAndGet();
      counters.queueDroppedBytes.addAndGet(bytes);
      if (s.slowAfter(offered)) {
        s.close();
        owner.later(new OutboundClosed(s, true));
      }
    }
  }

  // ---- inbound streams -----------------------------------------------------------------------

  /** Reads a peer's inbound pubsub stream until EOF, posting each RPC to the mailbox. */
  private void serve(Stream stream) throws IOException, ProtocolException {
    PeerId peer = stream.remotePeer();
    InputStream in = stream.in();
    int dropped = 0;
    byte[] buffer = new byte[GossipCodec.READ_BUFFER];
    while (running) {
      int len;
      try {
        len = Varint.readLength(in, config.maxRpcBytes(), Scope.STREAM);
      } catch (ProtocolException e) {
        owner.send(new Misbehaved(peer, e.reason()), FullPolicy.DROP_AND_COUNT);
        throw e; // the framing is lost: reset the stream
      }
      if (len < 0) {
        return;
      }
      byte[] body = len <= buffer.length ? buffer : new byte[len];
      if (in.readNBytes(body, 0, len) < len) {
        return;
      }
      Rpc rpc;
      try {
        rpc = GossipCodec.decode(body, len, limits);
      } catch (ProtocolException e) {
        // The length prefix was fine, so the next RPC can still be read.
        owner.send(new Misbehaved(peer, e.reason()), FullPolicy.DROP_AND_COUNT);
        continue;
      }
      List<MessageId> ids = new ArrayList<>(rpc.messages().size());
      for (Rpc.Message m : rpc.messages()) {
        byte[] data = m.data() == null ? new byte[0] : m.data();
        ids.add(config.messageIdFor(m.topic()).apply(m.topic(), m.from(), m.seqno(), data));
      }
      // Bound in bytes as well as in commands: an RPC that would take the RPCs waiting in the
      // mailbox past mailboxBytes is dropped and counted like one at a full mailbox.
      long bytes = rpc.wireSize();
      if (inboundBytes.addAndGet(bytes) <= config.mailboxBytes()
          && owner.send(new RpcIn(peer, rpc, ids, dropped), FullPolicy.DROP_AND_COUNT)) {
        dropped = 0;
      } else {
        inboundBytes.addAndGet(-bytes);
        counters.inboundDropped.incrementAndGet();
        counters.inboundDroppedBytes.addAndGet(bytes);
        dropped++;
      }
    }
  }
}
