package dev.cairn.p2p.host;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multistream.Multistream;
import dev.cairn.p2p.noise.NoiseHandshake;
import dev.cairn.p2p.noise.NoiseSession;
import dev.cairn.p2p.transport.RawConnection;
import dev.cairn.p2p.transport.Transport;
import dev.cairn.p2p.yamux.YamuxSession;
import dev.cairn.p2p.yamux.YamuxStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The libp2p host: TCP, then multistream-select to {@code /noise}, the Noise XX handshake, then
 * {@code /yamux/1.0.0} (inside the handshake when both sides offer it, else by multistream).
 *
 * <p>Threads: one virtual thread per listener accepting, one per connection upgrade, the yamux
 * session's reader per connection, one per stream handler; the {@link ConnectionManager} owns the
 * connection table and peer store; a single timer thread fires deadlines (it only closes sockets
 * and resets streams). No platform thread per connection.
 *
 * <p>Over 600 lines on purpose for now: it is split along its seams (upgrader, stream dispatcher,
 * protocol registry and the per-IP accept limits) by issue t2-E (the owner redesign), which
 * rewrites every owner at once; splitting it here first would be done twice.
 */
public final class Libp2pHost implements Host {
  private static final Logger LOG = LogManager.getLogger();

  public static final String NOISE = "/noise";
  public static final String YAMUX = "/yamux/1.0.0";

  /** Standing lost for breaking a protocol on one stream, and for breaking the connection. */
  static final int PENALTY_STREAM = 10;

  static final int PENALTY_CONNECTION = 50;

  private final HostConfig config;
  private final PeerId peerId;
  private final ExecutorService threads;
  private final ScheduledExecutorService timer;
  private final ConnectionManager manager;
  private final Semaphore inboundSlots;
  private final IpLimiter ipLimiter;
  private final Semaphore outboundSlots;
  private final ReentrantLock handlersWrite = new ReentrantLock();
  private final List<Transport.Listener> listeners = new ArrayList<>();
  private volatile Map<String, ProtocolHandler> handlers = Map.of();
  private final List<Runnable> protocolListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile List<Multiaddr> listenAddresses = List.of();
  private volatile boolean closed;

  private Libp2pHost(HostConfig config) {
    this.config = config;
    this.peerId = PeerId.fromPublicKey(config.identity().publicKey());
    String label = peerId.shortString();
    this.threads =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("host-" + label + "-", 0).factory());
    java.util.concurrent.ScheduledThreadPoolExecutor timer =
        new java.util.concurrent.ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("host-timer-" + label).factory());
    timer.setRemoveOnCancelPolicy(true); // most deadlines are cancelled; don't keep them queued
    this.timer = timer;
    this.manager =
        new ConnectionManager(
            config.limits().maxPerPeer(), config.banDuration(), Clock.systemUTC(), label);
    this.inboundSlots = new Semaphore(config.limits().maxInbound());
    this.ipLimiter = new IpLimiter(config.limits());
    this.outboundSlots = new Semaphore(config.limits().maxOutbound());
  }

  /** Builds a host and starts listening on the configured addresses. */
  public static Libp2pHost create(HostConfig config) throws IOException {
    Libp2pHost host = new Libp2pHost(config);
    try {
      for (Multiaddr address : config.listenAddresses()) {
        host.listen(address);
      }
    } catch (IOException | RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  private void listen(Multiaddr address) throws IOException {
    if (!config.transport().handles(address)) {
      throw new IOException("no transport for listen address " + address);
    }
    Transport.Listener listener = config.transport().listen(address.withoutPeerId());
    listeners.add(listener);
    List<Multiaddr> all = new ArrayList<>(listenAddresses);
    all.addAll(concreteAddresses(listener.address()));
    listenAddresses = List.copyOf(all);
    Thread.ofVirtual().name("accept-" + listener.address()).start(() -> acceptLoop(listener));
  }

  /**
   * A wildcard bind (0.0.0.0 or ::) becomes one address per local interface address of that family:
   * an unspecified address is never advertised.
   */
  private static List<Multiaddr> concreteAddresses(Multiaddr bound) {
    java.net.InetSocketAddress socket;
    try {
      socket = bound.toTcpSocketAddress();
    } catch (IllegalArgumentException e) {
      return List.of(bound);
    }
    if (socket.getAddress() == null || !socket.getAddress().isAnyLocalAddress()) {
      return List.of(bound);
    }
    boolean v4 = socket.getAddress() instanceof java.net.Inet4Address;
    List<Multiaddr> out = new ArrayList<>();
    try {
      for (java.net.NetworkInterface nic :
          java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp()) {
          continue;
        }
        for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
          if ((a instanceof java.net.Inet4Address) == v4 && !a.isLinkLocalAddress()) {
            out.add(Multiaddr.ofTcp(new java.net.InetSocketAddress(a, socket.getPort())));
          }
        }
      }
    } catch (java.net.SocketException e) {
      LOG.warn("cannot list network interfaces: {}", e.toString());
    }
    return out.isEmpty() ? List.of(bound) : out;
  }

  private void acceptLoop(Transport.Listener listener) {
    while (!closed) {
      RawConnection raw;
      try {
        raw = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("listener {} stopped: {}", listener.address(), e.toString());
        }
        return;
      }
      // Cheapest refusals first, before any handshake work: a banned IP, then the IP's caps,
      // then the global inbound cap.
      InetAddress ip = limitedIp(raw.remoteAddress());
      if (ip != null && manager.isIpBanned(ip)) {
        LOG.debug("closing {}: its IP is banned", raw.remoteAddress());
        closeQuietly(raw);
        continue;
      }
      if (ip != null && !ipLimiter.tryOpen(ip)) {
        LOG.debug("per-IP inbound limit reached; closing {}", raw.remoteAddress());
        closeQuietly(raw);
        continue;
      }
      if (!inboundSlots.tryAcquire()) {
        LOG.debug("inbound connection limit reached; closing {}", raw.remoteAddress());
        if (ip != null) {
          ipLimiter.handshakeDone(ip);
          ipLimiter.closed(ip);
        }
        closeQuietly(raw);
        continue;
      }
      Runnable release =
          ip == null
              ? inboundSlots::release
              : () -> {
                inboundSlots.release();
                ipLimiter.closed(ip);
              };
      try {
        threads.execute(
            () -> {
              try {
                upgrade(raw, null, release);
              } catch (IOException | ProtocolException e) {
                LOG.debug(
                    "inbound upgrade from {} failed: {}", raw.remoteAddress(), e.getMessage());
              } finally {
                if (ip != null) {
                  ipLimiter.handshakeDone(ip);
                }
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        release.run();
        if (ip != null) {
          ipLimiter.handshakeDone(ip);
        }
        closeQuietly(raw);
        return;
      }
    }
  }

  /**
   * The IP address the per-IP caps and IP bans apply to: the remote's, unless it is loopback and
   * the limits exempt loopback, or the address is not an IP one (null then).
   */
  private InetAddress limitedIp(Multiaddr remote) {
    InetAddress ip;
    try {
      ip = remote.toTcpSocketAddress().getAddress();
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (ip == null || (ip.isLoopbackAddress() && !config.limits().limitLoopback())) {
      return null;
    }
    return ip;
  }

  /**
   * Runs the whole upgrade under one deadline. On success the slot is released when the connection
   * closes; on failure at once.
   */
  private Libp2pConnection upgrade(RawConnection raw, PeerId expected, Runnable releaseSlot)
      throws IOException, ProtocolException {
    boolean initiator = raw.initiator();
    Deadline deadline = new Deadline(timer, config.handshakeTimeout(), () -> closeQuietly(raw));
    Libp2pConnection conn;
    try {
      if (initiator) {
        Multistream.select(raw, List.of(NOISE), Scope.CONNECTION);
      } else {
        Multistream.listen(raw, Set.of(NOISE), Scope.CONNECTION);
      }
      List<String> muxers = config.earlyMuxerNegotiation() ? List.of(YAMUX) : List.of();
      NoiseSession secure =
          initiator
              ? NoiseHandshake.initiate(
                  raw, config.identity(), expected, muxers, config.handshakeTimeout())
              : NoiseHandshake.respond(raw, config.identity(), muxers, config.handshakeTimeout());
      String muxer = secure.earlyMuxer().orElse(null);
      if (muxer == null) {
        muxer =
            initiator
                ? Multistream.select(secure, List.of(YAMUX), Scope.CONNECTION)
                : Multistream.listen(secure, Set.of(YAMUX), Scope.CONNECTION);
      }
      if (!deadline.cancel()) {
        throw new ProtocolException(Reason.TIMEOUT, Scope.CONNECTION, "handshake timed out");
      }
      conn =
          new Libp2pConnection(
              this,
              secure.remotePeer(),
              secure.remoteKey(),
              raw.localAddress(),
              raw.remoteAddress(),
              initiator ? Connection.Direction.OUTBOUND : Connection.Direction.INBOUND,
              muxer);
      CompletableFuture<Libp2pConnection> ready = new CompletableFuture<>();
      YamuxSession session =
          YamuxSession.start(
              secure,
              initiator,
              config.yamux(),
              stream -> serveInbound(ready.join(), stream),
              secure.remotePeer().shortString());
      conn.attach(session);
      ready.complete(conn);
      session.onClose(
          () -> {
            releaseSlot.run();
            manager.unregister(conn);
            if (session.closeCause() instanceof ProtocolException e) {
              penalize(conn.remotePeer(), PENALTY_CONNECTION, e.getMessage());
            }
            LOG.debug("disconnected {}", conn);
          });
    } catch (IOException | ProtocolException | RuntimeException e) {
      deadline.cancel();
      closeQuietly(raw);
      releaseSlot.run();
      if (deadline.expired()) {
        throw new ProtocolException(
            Reason.TIMEOUT,
            Scope.CONNECTION,
            "handshake timed out after " + config.handshakeTimeout(),
            e);
      }
      throw e;
    }
    if (!await(manager.register(conn))) {
      conn.close();
      throw new IOException("connection to " + conn.remotePeer() + " refused: per-peer limit");
    }
    LOG.debug("connected {}", conn);
    return conn;
  }

  private void serveInbound(Libp2pConnection conn, YamuxStream raw) {
    String protocol;
    Map<String, ProtocolHandler> current = handlers;
    try (Deadline deadline = new Deadline(timer, config.streamNegotiationTimeout(), raw::reset)) {
      protocol = Multistream.listen(raw, current.keySet(), Scope.STREAM);
    } catch (ProtocolException e) {
      LOG.debug(
          "stream negotiation with {} failed: {}", conn.remotePeer().shortString(), e.getMessage());
      raw.reset();
      return;
    } catch (IOException e) {
      LOG.trace(
          "stream negotiation with {} failed: {}", conn.remotePeer().shortString(), e.toString());
      raw.reset();
      return;
    }
    ProtocolHandler handler = current.get(protocol);
    Stream stream = new MuxedStream(raw, protocol, conn);
    try {
      handler.handle(stream);
      stream.close();
    } catch (ProtocolException e) {
      LOG.debug("{}: peer broke the protocol: {}", stream, e.getMessage());
      penalize(
          conn.remotePeer(),
          e.scope() == Scope.CONNECTION ? PENALTY_CONNECTION : PENALTY_STREAM,
          protocol + ": " + e.getMessage());
      stream.reset();
      if (e.scope() == Scope.CONNECTION) {
        conn.close();
      }
    } catch (IOException e) {
      LOG.trace("{}: {}", stream, e.toString());
      stream.reset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stream.reset();
    } catch (Exception e) {
      LOG.error("{}: handler failed", stream, e);
      stream.reset();
    }
  }

  Stream openStream(Libp2pConnection conn, List<String> protocols) throws IOException {
    YamuxSession session = conn.session();
    if (session == null || !session.isOpen()) {
      throw new IOException("connection to " + conn.remotePeer().shortString() + " is closed");
    }
    YamuxStream raw = session.openStream();
    try (Deadline deadline = new Deadline(timer, config.streamNegotiationTimeout(), raw::reset)) {
      String protocol = Multistream.select(raw, protocols, Scope.STREAM);
      return new MuxedStream(raw, protocol, conn);
    } catch (ProtocolException e) {
      raw.reset();
      throw new StreamNegotiationException(
          conn.remotePeer().shortString() + " does not speak " + protocols + ": " + e.getMessage(),
          e);
    } catch (IOException e) {
      raw.reset();
      throw e;
    }
  }

  @Override
  public Connection dial(Multiaddr address) throws IOException {
    ensureOpen();
    PeerId expected = address.peerId().orElse(null);
    if (expected != null && manager.isBanned(expected)) {
      throw new IOException("peer " + expected + " is banned");
    }
    if (expected != null) {
      if (expected.equals(peerId)) {
        throw new IOException("refusing to dial ourselves");
      }
      List<Connection> existing = connections(expected);
      if (!existing.isEmpty()) {
        return existing.getFirst();
      }
    }
    if (!config.transport().handles(address)) {
      throw new IOException("no transport for " + address);
    }
    if (!outboundSlots.tryAcquire()) {
      throw new IOException("outbound connection limit reached");
    }
    RawConnection raw;
    try {
      raw = config.transport().dial(address.withoutPeerId(), config.dialTimeout());
    } catch (IOException | RuntimeException e) {
      outboundSlots.release();
      throw e;
    }
    try {
      Libp2pConnection conn = upgrade(raw, expected, outboundSlots::release);
      manager.addAddresses(conn.remotePeer(), List.of(address.withoutPeerId()));
      return conn;
    } catch (ProtocolException e) {
      throw new IOException("dial " + address + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Connection connect(PeerId peer) throws IOException {
    List<Connection> existing = connections(peer);
    if (!existing.isEmpty()) {
      return existing.getFirst();
    }
    PeerInfo info =
        manager.get(peer).orElseThrow(() -> new IOException("no known address for " + peer));
    IOException last = new IOException("no known address for " + peer);
    for (Multiaddr a : info.addresses()) {
      if (!config.transport().handles(a)) {
        continue;
      }
      try {
        return dial(a.withPeerId(peer));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public Stream newStream(PeerId peer, String... protocols) throws IOException {
    Connection conn =
        connections(peer).stream().max(Comparator.comparing(Connection::openedAt)).orElse(null);
    if (conn == null) {
      conn = connect(peer);
    }
    return conn.newStream(List.of(protocols));
  }

  @Override
  public PeerId peerId() {
    return peerId;
  }

  @Override
  public PrivateKey identity() {
    return config.identity();
  }

  @Override
  public List<Multiaddr> listenAddresses() {
    return listenAddresses;
  }

  @Override
  public void setHandler(String protocol, ProtocolHandler handler) {
    handlersWrite.lock();
    try {
      Map<String, ProtocolHandler> copy = new LinkedHashMap<>(handlers);
      copy.put(protocol, handler);
      handlers = java.util.Collections.unmodifiableMap(copy);
    } finally {
      handlersWrite.unlock();
    }
    protocolsChanged();
  }

  @Override
  public void removeHandler(String protocol) {
    handlersWrite.lock();
    try {
      Map<String, ProtocolHandler> copy = new LinkedHashMap<>(handlers);
      copy.remove(protocol);
      handlers = java.util.Collections.unmodifiableMap(copy);
    } finally {
      handlersWrite.unlock();
    }
    protocolsChanged();
  }

  private void protocolsChanged() {
    for (Runnable l : protocolListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.error("protocol listener failed", e);
      }
    }
  }

  @Override
  public void addProtocolListener(Runnable listener) {
    protocolListeners.add(listener);
  }

  @Override
  public Set<String> protocols() {
    return new LinkedHashSet<>(handlers.keySet());
  }

  @Override
  public List<Connection> connections() {
    return manager.connections().stream().filter(Connection::isOpen).toList();
  }

  @Override
  public List<Connection> connections(PeerId peer) {
    return manager.connections().stream()
        .filter(c -> c.remotePeer().equals(peer) && c.isOpen())
        .toList();
  }

  @Override
  public void disconnect(PeerId peer) {
    connections(peer).forEach(Connection::close);
  }

  @Override
  public PeerStore peerStore() {
    return manager;
  }

  @Override
  public PeerStanding standing(PeerId peer) {
    return manager.standing(peer);
  }

  @Override
  public void penalize(PeerId peer, int points, String reason) {
    manager.penalize(peer, points, reason);
  }

  @Override
  public void ban(PeerId peer, java.time.Duration duration, String reason) {
    manager.ban(peer, duration, reason);
  }

  @Override
  public boolean isBanned(PeerId peer) {
    return manager.isBanned(peer);
  }

  @Override
  public int bannedCount() {
    return manager.bannedCount();
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    manager.addListener(listener);
  }

  /** The configuration this host was built from. */
  public HostConfig config() {
    return config;
  }

  /**
   * True while the host is open and its connection manager (the owner of the connection table and
   * peer store) runs.
   */
  public boolean isRunning() {
    return !closed && manager.isRunning();
  }

  /** The Error that stopped the connection manager, if one did. */
  public java.util.Optional<Throwable> failure() {
    return manager.failure();
  }

  @Override
  public Deadline readDeadline(Stream stream, Duration timeout) {
    return new Deadline(timer, timeout, stream::reset);
  }

  /** Runs {@code task} on one of the host's virtual threads (stopped when the host closes). */
  public void execute(Runnable task) {
    threads.execute(task);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Transport.Listener l : listeners) {
      closeQuietly(l);
    }
    for (Connection c : manager.connections()) {
      c.close();
    }
    threads.shutdownNow();
    timer.shutdownNow();
    manager.close();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True once close() stopped every thread the host started (tests check for leaks). */
  boolean terminated() {
    return threads.isTerminated() && timer.isTerminated();
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("host is closed");
    }
  }

  private static boolean await(CompletableFuture<Boolean> f) throws IOException {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("connection manager did not answer", e);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.trace("close failed: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "Libp2pHost[" + peerId + " " + listenAddresses + "]";
  }
}
