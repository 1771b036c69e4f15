package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The owner of the connection table and the peer store. One virtual thread, {@code
 * conn-manager-<peer>}, takes {@link Command}s from a bounded mailbox and is the only writer of
 * both; readers see immutable snapshots ({@link #connections()}) or immutable {@link PeerInfo}
 * values and never wait.
 *
 * <p>Mailbox: {@value #MAILBOX} commands; a full mailbox blocks the caller (back-pressure: callers
 * are connection threads, and a burst of connection events is short).
 */
final class ConnectionManager implements PeerStore, AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  static final int MAILBOX = 4096;

  sealed interface Command {}

  record Register(Connection connection, CompletableFuture<Boolean> reply) implements Command {}

  record Unregister(Connection connection) implements Command {}

  record AddListener(ConnectionListener listener) implements Command {}

  record AddAddresses(PeerId peer, List<Multiaddr> addresses) implements Command {}

  record Update(
      PeerId peer,
      PublicKey publicKey,
      List<Multiaddr> listenAddresses,
      List<String> protocols,
      String agentVersion,
      String protocolVersion)
      implements Command {}

  record Penalize(PeerId peer, int points, String reason) implements Command {}

  record Ban(PeerId peer, Duration duration, String reason) implements Command {}

  record Stop() implements Command {}

  /** A peer at or below this standing is disconnected and banned for {@link #banDuration}. */
  static final int BAN_THRESHOLD = -100;

  /** Standing recovers toward zero by this many points per minute. */
  static final int RECOVERY_PER_MINUTE = 10;

  /** Peers whose standing we remember (the least recently penalised are forgotten first). */
  static final int MAX_STANDINGS = 10_000;

  private final BlockingQueue<Command> mailbox = new ArrayBlockingQueue<>(MAILBOX);
  private final int maxPerPeer;
  private final Clock clock;
  private final Thread owner;

  // Owner-thread state.
  private final Map<PeerId, List<Connection>> table = new HashMap<>();
  private final Map<PeerId, Standing> standings = new java.util.LinkedHashMap<>(16, 0.75f, true);
  private final Duration banDuration;

  /** A peer's standing: negative points, recovering with time, and how often it was penalised. */
  private record Standing(int points, int penalties, Instant at) {
    int now(Instant t) {
      long minutes = Duration.between(at, t).toMinutes();
      return (int) Math.min(0, points + minutes * RECOVERY_PER_MINUTE);
    }
  }

  private final List<ConnectionListener> listeners = new ArrayList<>();

  // Published for readers; written only by the owner thread.
  private volatile List<Connection> snapshot = List.of();
  private final Map<PeerId, PeerInfo> peers = new ConcurrentHashMap<>();
  private final Map<PeerId, Instant> bans = new ConcurrentHashMap<>();
  private final Map<InetAddress, Instant> ipBans = new ConcurrentHashMap<>();
  private final Map<PeerId, Standing> publishedStandings = new ConcurrentHashMap<>();
  private volatile Throwable failure;
  private final List<ConnectionListener> pendingListeners = new CopyOnWriteArrayList<>();

  ConnectionManager(int maxPerPeer, Duration banDuration, Clock clock, String label) {
    this.maxPerPeer = maxPerPeer;
    this.banDuration = banDuration;
    this.clock = clock;
    this.owner = Thread.ofVirtual().name("conn-manager-" + label).start(this::run);
  }

  /** Adds a connection unless the peer already has the maximum; announces it to listeners. */
  CompletableFuture<Boolean> register(Connection c) {
    CompletableFuture<Boolean> reply = new CompletableFuture<>();
    send(new Register(c, reply));
    return reply;
  }

  void unregister(Connection c) {
    send(new Unregister(c));
  }

  void penalize(PeerId peer, int points, String reason) {
    send(new Penalize(peer, points, reason));
  }

  void ban(PeerId peer, Duration duration, String reason) {
    send(new Ban(peer, duration, reason));
  }

  /** {@code peer}'s standing now. Lock-free read of the owner's published standings. */
  PeerStanding standing(PeerId peer) {
    Standing s = publishedStandings.get(peer);
    return s == null
        ? new PeerStanding(0, 0)
        : new PeerStanding(s.now(clock.instant()), s.penalties());
  }

  /** Peers banned now. Lock-free read of the owner's published ban list. */
  int bannedCount() {
    Instant now = clock.instant();
    return (int) bans.values().stream().filter(now::isBefore).count();
  }

  /** True while {@code ip} is banned (a banned peer connected from it). Lock-free read. */
  boolean isIpBanned(InetAddress ip) {
    Instant until = ipBans.get(ip);
    return until != null && clock.instant().isBefore(until);
  }

  private static InetAddress ipOf(Multiaddr address) {
    try {
      return address.toTcpSocketAddress().getAddress();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True while {@code peer} is banned. Lock-free read of the owner's published ban list. */
  boolean isBanned(PeerId peer) {
    Instant until = bans.get(peer);
    return until != null && clock.instant().isBefore(until);
  }

  void addListener(ConnectionListener l) {
    send(new AddListener(l));
  }

  List<Connection> connections() {
    return snapshot;
  }

  @Override
  public Optional<PeerInfo> get(PeerId peer) {
    return Optional.ofNullable(peers.get(peer));
  }

  @Override
  public Collection<PeerInfo> all() {
    return List.copyOf(peers.values());
  }

  @Override
  public void addAddresses(PeerId peer, List<Multiaddr> addresses) {
    send(new AddAddresses(peer, List.copyOf(addresses)));
  }

  @Override
  public void update(
      PeerId peer,
      PublicKey publicKey,
      List<Multiaddr> listenAddresses,
      List<String> protocols,
      String agentVersion,
      String protocolVersion) {
    send(
        new Update(
            peer,
            publicKey,
            listenAddresses == null ? null : List.copyOf(listenAddresses),
            protocols == null ? null : List.copyOf(protocols),
            agentVersion,
            protocolVersion));
  }

  @Override
  public void close() {
    mailbox.clear();
    mailbox.offer(new Stop());
    owner.interrupt();
  }

  private void send(Command c) {
    if (!owner.isAlive()) {
      if (c instanceof Register r) {
        r.reply().complete(false);
      }
      return;
    }
    try {
      mailbox.put(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (true) {
        Command c;
        try {
          c = mailbox.take();
        } catch (InterruptedException e) {
          return;
        }
        try {
          if (!step(c)) {
            return;
          }
        } catch (RuntimeException e) {
          LOG.error("connection manager failed on {}", c.getClass().getSimpleName(), e);
        }
      }
    } catch (Error e) {
      // An Error leaves the table's state unknown: stop, and let the host see it (isRunning).
      failure = e;
      LOG.error("connection manager stops: {}", e.toString(), e);
    }
  }

  /** True while the owner thread runs. */
  boolean isRunning() {
    return owner.isAlive();
  }

  /** The Error that stopped the owner thread, if one did. */
  Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  private boolean step(Command c) {
    switch (c) {
      case Register(Connection conn, CompletableFuture<Boolean> reply) -> {
        List<Connection> existing = table.getOrDefault(conn.remotePeer(), List.of());
        if (existing.size() >= maxPerPeer || !conn.isOpen() || isBanned(conn.remotePeer())) {
          reply.complete(false);
          return true;
        }
        List<Connection> updated = new ArrayList<>(existing);
        updated.add(conn);
        table.put(conn.remotePeer(), updated);
        publish();
        PeerInfo info = peerInfo(conn.remotePeer());
        List<Multiaddr> addrs = info.addresses();
        if (conn.direction() == Connection.Direction.OUTBOUND) {
          addrs = mergeAddresses(List.of(conn.remoteAddress()), addrs);
        }
        store(
            new PeerInfo(
                info.peerId(),
                conn.remoteKey(),
                addrs,
                info.protocols(),
                info.agentVersion(),
                info.protocolVersion(),
                clock.instant()));
        reply.complete(true);
        for (ConnectionListener l : listeners) {
          notify(() -> l.connected(conn));
        }
      }
      case Unregister(Connection conn) -> {
        List<Connection> existing = table.get(conn.remotePeer());
        if (existing == null || !existing.contains(conn)) {
          return true;
        }
        List<Connection> updated = new ArrayList<>(existing);
        updated.remove(conn);
        if (updated.isEmpty()) {
          table.remove(conn.remotePeer());
        } else {
          table.put(conn.remotePeer(), updated);
        }
        publish();
        for (ConnectionListener l : listeners) {
          notify(() -> l.disconnected(conn));
        }
      }
      case AddListener(ConnectionListener l) -> listeners.add(l);
      case Penalize(PeerId peer, int points, String reason) -> {
        Instant now = clock.instant();
        Standing before = standings.get(peer);
        int standing = (before == null ? 0 : before.now(now)) - Math.abs(points);
        Standing after = new Standing(standing, (before == null ? 0 : before.penalties()) + 1, now);
        standings.put(peer, after);
        publishedStandings.put(peer, after);
        if (standings.size() > MAX_STANDINGS) {
          PeerId eldest = standings.keySet().iterator().next();
          standings.remove(eldest);
          publishedStandings.remove(eldest);
        }
        LOG.debug(
            "penalised {} by {} ({}): standing {}", peer.shortString(), points, reason, standing);
        if (standing <= BAN_THRESHOLD) {
          standings.remove(peer);
          publishedStandings.remove(peer);
          banNow(peer, banDuration, "standing " + standing + " after " + reason);
        }
      }
      case Ban(PeerId peer, Duration duration, String reason) -> banNow(peer, duration, reason);
      case AddAddresses(PeerId peer, List<Multiaddr> addresses) -> {
        PeerInfo info = peerInfo(peer);
        store(
            new PeerInfo(
                peer,
                info.publicKey(),
                mergeAddresses(addresses, info.addresses()),
                info.protocols(),
                info.agentVersion(),
                info.protocolVersion(),
                clock.instant()));
      }
      case Update u -> {
        PeerInfo info = peerInfo(u.peer());
        store(
            new PeerInfo(
                u.peer(),
                u.publicKey() != null ? u.publicKey() : info.publicKey(),
                u.listenAddresses() != null
                    ? mergeAddresses(u.listenAddresses(), info.addresses())
                    : info.addresses(),
                u.protocols() != null ? cap(u.protocols(), MAX_PROTOCOLS) : info.protocols(),
                u.agentVersion() != null ? u.agentVersion() : info.agentVersion(),
                u.protocolVersion() != null ? u.protocolVersion() : info.protocolVersion(),
                clock.instant()));
      }
      case Stop() -> {
        return false;
      }
    }
    return true;
  }

  private void banNow(PeerId peer, Duration duration, String reason) {
    Instant now = clock.instant();
    bans.put(peer, now.plus(duration));
    bans.entrySet().removeIf(e -> !now.isBefore(e.getValue())); // expired bans go
    if (bans.size() > MAX_STANDINGS) {
      bans.entrySet().stream()
          .min(Map.Entry.comparingByValue())
          .ifPresent(e -> bans.remove(e.getKey()));
    }
    LOG.info("Banned peer {} for {}: {}", peer, duration, reason);
    for (ConnectionListener l : listeners) {
      notify(() -> l.banned(peer, duration));
    }
    for (Connection c : table.getOrDefault(peer, List.of())) {
      // The IP is banned too, so that the same machine cannot come back under a new peer id (the
      // host decides whether an IP ban applies to an address: loopback may be exempt).
      InetAddress ip = ipOf(c.remoteAddress());
      if (ip != null) {
        ipBans.put(ip, now.plus(duration));
      }
      c.close(); // its Unregister arrives later through the mailbox
    }
    ipBans.entrySet().removeIf(e -> !now.isBefore(e.getValue()));
    if (ipBans.size() > MAX_STANDINGS) {
      ipBans.entrySet().stream()
          .min(Map.Entry.comparingByValue())
          .ifPresent(e -> ipBans.remove(e.getKey()));
    }
  }

  private PeerInfo peerInfo(PeerId peer) {
    PeerInfo info = peers.get(peer);
    return info != null ? info : PeerInfo.empty(peer, clock.instant());
  }

  private void store(PeerInfo info) {
    peers.put(info.peerId(), info);
    if (peers.size() > MAX_PEERS) {
      peers.values().stream()
          .filter(p -> !table.containsKey(p.peerId()))
          .min(Comparator.comparing(PeerInfo::updatedAt))
          .ifPresent(p -> peers.remove(p.peerId()));
    }
  }

  private void publish() {
    List<Connection> all = new ArrayList<>();
    table.values().forEach(all::addAll);
    snapshot = List.copyOf(all);
  }

  private static List<Multiaddr> mergeAddresses(List<Multiaddr> first, List<Multiaddr> then) {
    LinkedHashSet<Multiaddr> merged = new LinkedHashSet<>();
    for (Multiaddr a : first) {
      merged.add(a.withoutPeerId());
    }
    for (Multiaddr a : then) {
      merged.add(a.withoutPeerId());
    }
    return cap(new ArrayList<>(merged), MAX_ADDRESSES);
  }

  private static <T> List<T> cap(List<T> list, int max) {
    return list.size() <= max ? List.copyOf(list) : List.copyOf(list.subList(0, max));
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.error("connection listener failed", e);
    }
  }
}
