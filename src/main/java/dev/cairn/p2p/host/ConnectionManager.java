package dev.cairn.p2p.host;

import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.host.ConnectionTable.AddAddresses;
import dev.cairn.p2p.host.ConnectionTable.AddListener;
import dev.cairn.p2p.host.ConnectionTable.Ban;
import dev.cairn.p2p.host.ConnectionTable.Command;
import dev.cairn.p2p.host.ConnectionTable.Penalize;
import dev.cairn.p2p.host.ConnectionTable.Register;
import dev.cairn.p2p.host.ConnectionTable.Unregister;
import dev.cairn.p2p.host.ConnectionTable.Update;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The owner of the connection table and the peer store: an {@link Owner} on one virtual thread,
 * {@code conn-manager-<peer>}, steps a {@link ConnectionTable} with {@link Command}s and is the
 * only writer of it; readers see immutable snapshots ({@link #connections()}) or immutable {@link
 * PeerInfo} values and never wait.
 *
 * <p>Mailbox: {@value #MAILBOX} commands, {@link FullPolicy#BACK_PRESSURE}: a full mailbox blocks
 * the caller (callers are connection threads, and a burst of connection events is short). A
 * register the owner can no longer take (closed) answers false.
 */
final class ConnectionManager implements PeerStore, AutoCloseable {
  static final int MAILBOX = 4096;

  /** A peer at or below this standing is disconnected and banned for the ban duration. */
  static final int BAN_THRESHOLD = ConnectionTable.BAN_THRESHOLD;

  /** How long {@link #close} waits for the owner's current command. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final ConnectionTable table;
  private final Owner<Command> owner;

  ConnectionManager(int maxPerPeer, Duration banDuration, Clock clock, String label) {
    this.table = new ConnectionTable(maxPerPeer, banDuration, clock);
    this.owner =
        Owner.<Command>builder("conn-manager-" + label, MAILBOX, table::handle)
            .fullPolicy(FullPolicy.BACK_PRESSURE)
            .failWith(ConnectionManager::refuse)
            .joinTimeout(CLOSE_WAIT)
            .build()
            .start();
  }

  /** A command the owner did not run: a register is refused; the rest carry no reply. */
  private static void refuse(Command c, Throwable why) {
    if (c instanceof Register r) {
      r.reply().complete(false);
    }
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
    return table.standing(peer);
  }

  /** Peers banned now. Lock-free read of the owner's published ban list. */
  int bannedCount() {
    return table.bannedCount();
  }

  /** True while {@code ip} is banned (a banned peer connected from it). Lock-free read. */
  boolean isIpBanned(InetAddress ip) {
    return table.isIpBanned(ip);
  }

  /** True while {@code peer} is banned. Lock-free read of the owner's published ban list. */
  boolean isBanned(PeerId peer) {
    return table.isBanned(peer);
  }

  void addListener(ConnectionListener l) {
    send(new AddListener(l));
  }

  List<Connection> connections() {
    return table.connections();
  }

  @Override
  public Optional<PeerInfo> get(PeerId peer) {
    return table.get(peer);
  }

  @Override
  public Collection<PeerInfo> all() {
    return table.all();
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

  /** Stops the owner; a register still queued answers false. */
  @Override
  public void close() {
    owner.close();
  }

  private void send(Command c) {
    if (!owner.send(c)) {
      refuse(c, null);
    }
  }

  /** True while the owner thread runs. */
  boolean isRunning() {
    return owner.isRunning();
  }

  /** The Error that stopped the owner thread, if one did. */
  Optional<Throwable> failure() {
    return owner.failure();
  }
}
