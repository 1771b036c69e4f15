package dev.cairn.p2p.host;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.RawConnection;
import dev.cairn.p2p.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * <p>Its parts: the {@link Upgrader} (raw connection to libp2p connection), the {@link
 * StreamDispatcher} (stream negotiation and the handler ladder) and the {@link ProtocolRegistry};
 * the host itself keeps the listeners with their accept limits, dialling, and the lifecycle.
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
  private final ProtocolRegistry registry = new ProtocolRegistry();
  private final ResourceManager resources;
  private final Upgrader upgrader;
  private final List<Transport.Listener> listeners = new ArrayList<>();
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
    this.resources = new ResourceManager(config.resources());
    StreamDispatcher dispatcher =
        new StreamDispatcher(registry, timer, config.streamNegotiationTimeout(), manager);
    this.upgrader = new Upgrader(config, timer, manager, dispatcher, resources);
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
      if (!takeInboundSlot(raw.remoteAddress())) {
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
                upgrader.upgrade(raw, null, release);
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
   * Takes an inbound slot; when inbound is full, closes the connection {@link InboundEviction}
   * picks (never an outbound or long-lived one; the lowest standing, then the newest) and takes its
   * slot, which its close released. False when nothing may be evicted: the newcomer is refused.
   */
  private boolean takeInboundSlot(Multiaddr remote) {
    if (inboundSlots.tryAcquire()) {
      return true;
    }
    Connection victim =
        InboundEviction.choose(
                manager.connections(),
                manager::standing,
                java.time.Instant.now(),
                config.limits().evictionProtectedAge())
            .orElse(null);
    if (victim == null) {
      return false;
    }
    LOG.debug(
        "inbound connections full: evicting {} ({}) for {}",
        victim.remotePeer().shortString(),
        manager.standing(victim.remotePeer()),
        remote);
    victim.close(); // runs the session's close callbacks here, which release its slot
    return inboundSlots.tryAcquire();
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
      raw = config.transport().dial(address.withoutPeerId(), config.dialTimeout(), dialSource());
    } catch (IOException | RuntimeException e) {
      outboundSlots.release();
      throw e;
    }
    try {
      Libp2pConnection conn = upgrader.upgrade(raw, expected, outboundSlots::release);
      manager.addAddresses(conn.remotePeer(), List.of(address.withoutPeerId()));
      return conn;
    } catch (ProtocolException e) {
      throw new IOException("dial " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * The address outbound dials are bound to: the first configured listen address (its IP only; the
   * transport ignores a wildcard, and one that does not suit the target), else none.
   */
  private Multiaddr dialSource() {
    return config.listenAddresses().isEmpty() ? null : config.listenAddresses().getFirst();
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
    registry.set(protocol, handler);
  }

  @Override
  public void removeHandler(String protocol) {
    registry.remove(protocol);
  }

  @Override
  public void addProtocolListener(Runnable listener) {
    registry.addListener(listener);
  }

  @Override
  public Set<String> protocols() {
    return registry.protocols();
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

  @Override
  public ResourceManager resources() {
    return resources;
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

  static void closeQuietly(java.io.Closeable c) {
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
