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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The connection table and the peer store: which connections each peer has (at most {@code
 * maxPerPeer}), what we know of each peer, and each peer's standing and bans. A plain state class
 * stepped by {@link #handle} on one thread, the {@link ConnectionManager}'s owner thread (tests
 * step it on theirs, with a clock they move). It is the only writer of everything here; readers on
 * other threads see immutable snapshots ({@link #connections()}), immutable {@link PeerInfo} values
 * and the concurrent maps of bans and standings, and never wait.
 */
final class ConnectionTable {
  /**
   * ConnectionManager's logger: operators know the ban line as {@code ConnectionManager - Banned
   * peer}.
   */
  private static final Logger LOG = LogManager.getLogger(ConnectionManager.class);

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

  /** A peer at or below this standing is disconnected and banned for {@link #banDuration}. */
  static final int BAN_THRESHOLD = -100;

  /** Standing recovers toward zero by this many points per minute. */
  static final int RECOVERY_PER_MINUTE = 10;

  /** Peers whose standing we remember (the least recently penalised are forgotten first). */
  static final int MAX_STANDINGS = 10_000;

  private final int maxPerPeer;
  private final Clock clock;

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

  ConnectionTable(int maxPerPeer, Duration banDuration, Clock clock) {
    this.maxPerPeer = maxPerPeer;
    this.banDuration = banDuration;
    this.clock = clock;
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

  List<Connection> connections() {
    return snapshot;
  }

  Optional<PeerInfo> get(PeerId peer) {
    return Optional.ofNullable(peers.get(peer));
  }

  Collection<PeerInfo> all() {
    return List.copyOf(peers.values());
  }

  /** Steps the table by one command. Only its owner thread (or a test that owns the table). */
  void handle(Command c) {
    switch (c) {
      case Register(Connection conn, CompletableFuture<Boolean> reply) -> {
        List<Connection> existing = table.getOrDefault(conn.remotePeer(), List.of());
        if (existing.size() >= maxPerPeer || !conn.isOpen() || isBanned(conn.remotePeer())) {
          reply.complete(false);
          return;
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
          return;
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
                u.protocols() != null
                    ? cap(u.protocols(), PeerStore.MAX_PROTOCOLS)
                    : info.protocols(),
                u.agentVersion() != null ? u.agentVersion() : info.agentVersion(),
                u.protocolVersion() != null ? u.protocolVersion() : info.protocolVersion(),
                clock.instant()));
      }
    }
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
    if (peers.size() > PeerStore.MAX_PEERS) {
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
    return cap(new ArrayList<>(merged), PeerStore.MAX_ADDRESSES);
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
