package dev.cairn.p2p.kad;

import dev.cairn.owner.Scheduler;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.PeerInfo;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.host.StreamNegotiationException;
import dev.cairn.p2p.identify.IdentifyMessage;
import dev.cairn.p2p.kad.KadMessage.Type;
import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The Kademlia DHT on a {@link Libp2p} host: the routing table ({@link KadTable}, its own owner
 * thread), lookups ({@link KadQuery}, on the caller's thread), the FIND_NODE server (in server mode
 * only) and discovery, which dials the bootnodes, looks itself up, then keeps {@link
 * KadConfig#targetConnections()} peers connected with random walks.
 *
 * <p>Usage: {@code KadDht dht = KadDht.start(libp2p,
 * KadConfig.defaults().withProtocolId("/myapp/kad/1.0.0"), bootnodes);}. Every method may be called
 * from any thread; lookups block the caller (use a virtual thread).
 *
 * <p>A peer enters the routing table when identify lists our protocol id (it is a server), or when
 * it answers one of our requests; it leaves after {@link KadConfig#failureLimit()} consecutive
 * failed requests, at once on a protocol violation, when a liveness check finds it gone while its
 * bucket is full of newcomers, or when identify stops listing the protocol.
 *
 * <p>Threads: {@code kad-table-<id>} (owner), {@code kad-discovery-<id>} (virtual, the loop below),
 * deadlines on the shared {@link Scheduler} (a stream is reset on a short virtual thread when its
 * request or idle time runs out), and short-lived virtual threads per request, inbound stream and
 * identify wait.
 */
public final class KadDht implements Closeable {
  private static final Logger LOG = LogManager.getLogger();

  /** Requests read from one inbound stream before we close it (go reuses a stream per peer). */
  static final int MAX_REQUESTS_PER_STREAM = 64;

  /** Spend at most this many SHA-256 runs finding a key for one bucket refresh (≈ cpl ≤ 15). */
  static final int MAX_REFRESH_TRIES = 1 << 16;

  private final Libp2p libp2p;
  private final Host host;
  private final KadConfig config;
  private final List<Multiaddr> bootnodes;
  private final KadTable table;
  private final Scheduler scheduler = Scheduler.shared();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Random random;
  private final String label;
  private volatile boolean closed;
  private Thread discovery;

  private KadDht(Libp2p libp2p, KadConfig config, List<Multiaddr> bootnodes, Clock clock) {
    this.libp2p = libp2p;
    this.host = libp2p.host();
    this.config = config;
    this.bootnodes = List.copyOf(bootnodes);
    this.label = host.peerId().shortString();
    this.random = new Random(Arrays.hashCode(host.peerId().bytes()) ^ System.nanoTime());
    this.table =
        new KadTable(
            new RoutingTable(
                host.peerId(),
                config.k(),
                config.k(),
                config.failureLimit(),
                config.livenessInterval().toMillis()),
            clock,
            this::alive,
            label);
  }

  /**
   * Starts the DHT on {@code libp2p}: serves the protocol (server mode), watches identify for
   * servers, and starts discovery from {@code bootnodes} (multiaddrs ending in {@code /p2p/<id>};
   * may be empty for the first node of a network).
   */
  public static KadDht start(Libp2p libp2p, KadConfig config, List<Multiaddr> bootnodes) {
    return start(libp2p, config, bootnodes, Clock.systemUTC());
  }

  static KadDht start(Libp2p libp2p, KadConfig config, List<Multiaddr> bootnodes, Clock clock) {
    for (Multiaddr b : bootnodes) {
      if (b.peerId().isEmpty()) {
        throw new IllegalArgumentException("bootnode address needs /p2p/<peer id>: " + b);
      }
    }
    KadDht dht = new KadDht(libp2p, config, bootnodes, clock);
    dht.table.start();
    if (config.serverMode()) {
      dht.host.setHandler(config.protocolId(), dht::serve);
    }
    dht.host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection connection) {
            dht.onConnected(connection.remotePeer());
          }
        });
    for (Connection c : dht.host.connections()) {
      dht.onConnected(c.remotePeer());
    }
    dht.discovery = Thread.ofVirtual().name("kad-discovery-" + dht.label).start(dht::discover);
    return dht;
  }

  /** The libp2p stack this DHT runs on. */
  public Libp2p libp2p() {
    return libp2p;
  }

  public Host host() {
    return host;
  }

  /** True while the routing table's owner thread runs. */
  public boolean isRunning() {
    return table.isRunning();
  }

  /** The Error that stopped the routing table's owner, if one did. */
  public Optional<Throwable> failure() {
    return table.failure();
  }

  /** Peers in the routing table now. */
  public int routingTableSize() {
    return table.members().size();
  }

  /** The routing table's peers, in no particular order. */
  public List<PeerId> routingTable() {
    return table.members().stream().map(Member::peer).toList();
  }

  /**
   * Finds {@code peer}'s addresses: from the routing table and peer store when it is there,
   * otherwise by a lookup that stops as soon as someone names it. Blocks up to the query timeout.
   */
  public Optional<KadPeer> findPeer(PeerId peer) throws InterruptedException {
    if (routingTable().contains(peer)) {
      List<Multiaddr> known = addresses(peer);
      if (!known.isEmpty()) {
        return Optional.of(new KadPeer(peer, known));
      }
    }
    return Optional.ofNullable(lookup(peer.bytes(), peer).found());
  }

  /** The k peers closest to {@code key} (SHA-256, XOR) that answered a lookup, closest first. */
  public List<PeerId> closestPeers(byte[] key) throws InterruptedException {
    return lookup(key, null).closest();
  }

  /** Runs one lookup from the k closest peers we know (plus the bootnodes). */
  KadQuery.Result lookup(byte[] key, PeerId wanted) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("kad dht closed");
    }
    Set<PeerId> seeds = new LinkedHashSet<>();
    for (Member m : RoutingTable.closest(table.members(), KadKey.of(key), config.k())) {
      seeds.add(m.peer());
    }
    if (seeds.size() < config.k()) {
      for (Multiaddr b : bootnodes) {
        b.peerId().ifPresent(seeds::add);
      }
    }
    KadQuery q =
        new KadQuery(
            key, host.peerId(), wanted, config.k(), config.alpha(), this::findNode, observer());
    return q.run(seeds, config.requestTimeout(), config.queryTimeout());
  }

  private KadQuery.Observer observer() {
    return new KadQuery.Observer() {
      @Override
      public void answered(PeerId peer, List<KadPeer> closer) {
        table.post(new KadTable.Observe(peer));
        for (KadPeer p : closer) {
          if (!p.id().equals(host.peerId()) && !p.addresses().isEmpty()) {
            host.peerStore().addAddresses(p.id(), p.addresses());
          }
        }
      }

      @Override
      public void failed(PeerId peer, Exception cause) {
        boolean violation =
            cause instanceof StreamNegotiationException
                || cause instanceof ProtocolException pe && pe.reason() != Reason.TIMEOUT;
        if (cause instanceof RuntimeException) {
          LOG.error("kad {}: request to {} failed on our side", label, peer.shortString(), cause);
        } else {
          LOG.debug(
              "kad {}: request to {} failed: {}", label, peer.shortString(), cause.toString());
        }
        table.post(new KadTable.Failed(peer, violation));
      }
    };
  }

  // ---- client side -------------------------------------------------------------------------

  private List<KadPeer> findNode(PeerId peer, byte[] key) throws IOException, ProtocolException {
    KadMessage reply = request(peer, KadMessage.findNode(key));
    if (reply.type() != Type.FIND_NODE) {
      throw ProtocolException.stream(Reason.UNEXPECTED, "FIND_NODE answered with " + reply.type());
    }
    if (reply.overflow() > 0) {
      // more peers than anyone should send: the answer is refused, the sender evicted
      throw ProtocolException.stream(
          Reason.LIMIT_EXCEEDED,
          "FIND_NODE answer with more than " + config.maxPeersPerResponse() + " peers");
    }
    return reply.closerPeers();
  }

  /** One request and its answer on a new stream, reset at the request timeout. */
  private KadMessage request(PeerId peer, KadMessage request)
      throws IOException, ProtocolException {
    AtomicReference<Stream> open = new AtomicReference<>();
    Scheduler.Cancellable deadline =
        scheduler.after(
            config.requestTimeout(),
            "kad-deadline-" + label,
            () -> {
              Stream s = open.get();
              if (s != null) {
                s.reset();
              }
            });
    try (Stream s = host.newStream(peer, config.protocolId())) {
      open.set(s);
      if (deadline.isDone()) {
        s.reset();
      }
      // no half-close before the answer: js 3.x may end the whole stream when our side closes
      KadCodec.write(s.out(), request);
      KadMessage reply = KadCodec.read(s.in(), config.maxPeersPerResponse());
      if (reply == null) {
        throw ProtocolException.stream(Reason.TRUNCATED, "stream closed without an answer");
      }
      return reply;
    } catch (IOException e) {
      if (deadline.isDone() && !(e instanceof StreamNegotiationException)) {
        throw ProtocolException.stream(Reason.TIMEOUT, "no answer in time: " + e.getMessage());
      }
      throw e;
    } finally {
      deadline.cancel();
    }
  }

  /** A liveness check: the peer answers FIND_NODE for our own id within the request timeout. */
  private boolean alive(PeerId peer) {
    try {
      findNode(peer, host.peerId().bytes());
      return true;
    } catch (IOException | ProtocolException e) {
      return false;
    }
  }

  // ---- server side -------------------------------------------------------------------------

  /**
   * Answers requests on one inbound stream until the remote closes it, stays idle past {@link
   * KadConfig#serverIdleTimeout()} (reset), or sent {@link #MAX_REQUESTS_PER_STREAM}.
   *
   * <p>FIND_NODE: the k closest peers we know that have addresses, without the requester; when the
   * key is our own id we list ourselves first. GET_VALUE and GET_PROVIDERS: answered as a node that
   * stores nothing (no record, no providers, the closer peers). PING: echoed. PUT_VALUE: refused
   * (the stream is reset, so the putter sees a failure, not an echo that would claim we stored it).
   * ADD_PROVIDER: has no reply by spec; ignored.
   */
  private void serve(Stream stream) throws IOException, ProtocolException {
    PeerId from = stream.remotePeer();
    for (int i = 0; i < MAX_REQUESTS_PER_STREAM; i++) {
      KadMessage req;
      if (closed) {
        // closed while the stream was open: a stop, not a failure; end the stream
        stream.reset();
        return;
      }
      Scheduler.Cancellable idle =
          scheduler.after(config.serverIdleTimeout(), "kad-idle-" + label, stream::reset);
      try {
        req = KadCodec.read(stream.in(), config.maxPeersPerResponse());
      } finally {
        idle.cancel();
      }
      if (req == null) {
        return;
      }
      KadMessage reply =
          switch (req.type()) {
            case FIND_NODE ->
                KadMessage.reply(Type.FIND_NODE, req.key(), closer(req.key(), from), List.of());
            case GET_VALUE ->
                KadMessage.reply(Type.GET_VALUE, req.key(), closer(req.key(), from), List.of());
            case GET_PROVIDERS ->
                KadMessage.reply(Type.GET_PROVIDERS, req.key(), closer(req.key(), from), List.of());
            case PING -> KadMessage.reply(Type.PING, req.key(), List.of(), List.of());
            case PUT_VALUE ->
                throw ProtocolException.stream(
                    Reason.UNSUPPORTED_PROTOCOL, "PUT_VALUE refused: this node stores no values");
            case ADD_PROVIDER -> null;
          };
      if (reply != null) {
        KadCodec.write(stream.out(), reply);
      }
    }
  }

  /** The peers we answer a request for {@code key} with. */
  List<KadPeer> closer(byte[] key, PeerId requester) {
    List<KadPeer> out = new ArrayList<>(config.k());
    if (Arrays.equals(key, host.peerId().bytes())) {
      out.add(new KadPeer(host.peerId(), host.listenAddresses()));
    }
    for (Member m : RoutingTable.closest(table.members(), KadKey.of(key), config.k() + 1)) {
      if (out.size() >= config.k()) {
        break;
      }
      if (m.peer().equals(requester)) {
        continue;
      }
      List<Multiaddr> addrs = addresses(m.peer());
      if (!addrs.isEmpty()) {
        out.add(new KadPeer(m.peer(), addrs));
      }
    }
    return out;
  }

  private List<Multiaddr> addresses(PeerId peer) {
    return host.peerStore().get(peer).map(PeerInfo::addresses).orElse(List.of());
  }

  // ---- identify: who is a server ----------------------------------------------------------

  /** On the connection manager's thread: must not block, so the wait runs on its own thread. */
  private void onConnected(PeerId peer) {
    if (closed) {
      return;
    }
    KadThreads.start(
        "identify",
        peer,
        () -> {
          IdentifyMessage id;
          try {
            id = libp2p.identify().awaitIdentify(peer, config.requestTimeout().toMillis() * 2);
          } catch (IOException e) {
            return; // no identify, no table entry
          }
          // the message itself: the peer store is updated asynchronously, on its owner
          boolean server = id.protocols() != null && id.protocols().contains(config.protocolId());
          table.post(server ? new KadTable.Observe(peer) : new KadTable.Evict(peer));
        });
  }

  // ---- discovery ---------------------------------------------------------------------------

  /**
   * Dials the bootnodes, looks ourselves up, then every walk interval: below the connection target,
   * runs a random walk and dials what it found until the target; every refresh interval, looks
   * ourselves up again and refreshes each non-empty bucket with a lookup of a random key in it.
   * Once the table holds peers, the bootnodes are only dialled again if it empties.
   */
  private void discover() {
    try {
      dialBootnodes();
      connectTo(lookup(host.peerId().bytes(), null).closest());
      long nextRefresh = System.nanoTime() + config.refreshInterval().toNanos();
      while (!stopped.await(config.walkInterval().toMillis(), TimeUnit.MILLISECONDS)) {
        if (table.members().isEmpty()) {
          dialBootnodes();
        }
        if (outboundPeers() < config.targetConnections()) {
          byte[] key = new byte[32];
          random.nextBytes(key);
          connectTo(lookup(key, null).closest());
        }
        if (System.nanoTime() - nextRefresh >= 0) {
          refresh();
          nextRefresh = System.nanoTime() + config.refreshInterval().toNanos();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  private void refresh() throws InterruptedException {
    lookup(host.peerId().bytes(), null);
    KadKey self = KadKey.of(host.peerId());
    Set<Integer> done = new HashSet<>();
    for (Member m : table.members()) {
      int cpl = self.commonPrefixLength(m.key());
      if (done.add(cpl)) {
        byte[] key = self.randomKeyWithPrefix(cpl, random, MAX_REFRESH_TRIES);
        if (key != null) {
          lookup(key, null);
        }
      }
    }
  }

  private void dialBootnodes() {
    for (Multiaddr b : bootnodes) {
      if (closed) {
        return;
      }
      try {
        host.dial(b);
      } catch (IOException e) {
        LOG.debug("kad {}: bootnode {} unreachable: {}", label, b, e.getMessage());
      }
    }
  }

  private void connectTo(List<PeerId> peers) {
    for (PeerId p : peers) {
      if (closed || outboundPeers() >= config.targetConnections()) {
        return;
      }
      if (!host.isConnected(p)) {
        try {
          host.connect(p);
        } catch (IOException e) {
          LOG.debug("kad {}: dial {} failed: {}", label, p.shortString(), e.getMessage());
          table.post(new KadTable.Failed(p, false));
        }
      }
    }
  }

  /**
   * Distinct peers we dialled (an outbound connection). Only these count toward {@link
   * KadConfig#targetConnections()}: inbound peers chose us, and 25 sybils that connect must not
   * stop us from dialling peers we chose.
   */
  public int outboundPeers() {
    Set<PeerId> peers = new HashSet<>();
    for (Connection c : host.connections()) {
      if (c.direction() == Connection.Direction.OUTBOUND) {
        peers.add(c.remotePeer());
      }
    }
    return peers.size();
  }

  /** Distinct peers we have a connection to. */
  public int connectedPeers() {
    Set<PeerId> peers = new HashSet<>();
    for (Connection c : host.connections()) {
      peers.add(c.remotePeer());
    }
    return peers.size();
  }

  /** Stops discovery and the table, and stops serving the protocol. The host stays up. */
  @Override
  public void close() {
    closed = true;
    stopped.countDown();
    if (config.serverMode()) {
      host.removeHandler(config.protocolId());
    }
    table.close();
  }
}
