package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A libp2p host: an identity, listening addresses, connections to peers and the protocols it serves
 * on their streams. Thread-safe; every method may be called from any thread.
 */
public interface Host extends Closeable {

  PeerId peerId();

  /** The identity key. Never log it. */
  PrivateKey identity();

  /** The bound listen addresses (real ports), without the {@code /p2p/} suffix. */
  List<Multiaddr> listenAddresses();

  /**
   * Serves {@code protocol} with {@code handler}, replacing an earlier handler. Connected peers
   * learn of the change through identify push where that is installed.
   */
  void setHandler(String protocol, ProtocolHandler handler);

  void removeHandler(String protocol);

  /** The protocols we serve, in registration order. */
  Set<String> protocols();

  /**
   * Connects to {@code address}, which must end in {@code /p2p/<peer id>} unless the peer is
   * unknown to us (then any authenticated peer is accepted). Returns an existing connection to that
   * peer when there is one.
   */
  Connection dial(Multiaddr address) throws IOException;

  /** Connects to a peer at one of its known addresses (from the peer store). */
  Connection connect(PeerId peer) throws IOException;

  /**
   * Opens a stream to {@code peer} on an existing connection (or a new one to a known address) and
   * negotiates the first supported of {@code protocols}.
   */
  Stream newStream(PeerId peer, String... protocols) throws IOException;

  /**
   * Resets {@code stream} unless the returned deadline is closed within {@code timeout}: the bound
   * on a read a peer could hold open (its request, its next message). Use it in try-with-resources
   * around the read; after an {@link IOException} {@link Deadline#expired()} tells whether time ran
   * out. Fired by the host's timer thread.
   */
  Deadline readDeadline(Stream stream, java.time.Duration timeout);

  /** Open connections, in no particular order. */
  List<Connection> connections();

  List<Connection> connections(PeerId peer);

  default boolean isConnected(PeerId peer) {
    return !connections(peer).isEmpty();
  }

  /** Closes every connection to {@code peer}. */
  void disconnect(PeerId peer);

  PeerStore peerStore();

  /**
   * Lowers {@code peer}'s standing for misbehaviour (a protocol violation, invalid data, a
   * timeout). Standing recovers with time; at {@value ConnectionManager#BAN_THRESHOLD} the peer is
   * disconnected and banned for the configured ban duration.
   */
  void penalize(PeerId peer, int points, String reason);

  /** Disconnects {@code peer} and refuses its connections for {@code duration}. */
  void ban(PeerId peer, java.time.Duration duration, String reason);

  boolean isBanned(PeerId peer);

  /** How many peers are banned now. */
  int bannedCount();

  /** {@code peer}'s standing now (0 and no penalties for a peer never penalised). */
  PeerStanding standing(PeerId peer);

  /**
   * The budgets of bytes and streams held on peers' behalf ({@link ResourceManager}); protocols
   * reserve their per-peer buffers from it.
   */
  ResourceManager resources();

  void addConnectionListener(ConnectionListener listener);

  /**
   * Calls {@code listener} after the set of served protocols changed (identify push uses this). It
   * runs on the thread that changed the handlers and must not block.
   */
  void addProtocolListener(Runnable listener);

  /** Our full listen addresses, each ending in {@code /p2p/<our id>}. */
  default List<Multiaddr> fullAddresses() {
    return listenAddresses().stream().map(a -> a.withPeerId(peerId())).toList();
  }

  /** A listen address ending in {@code /p2p/<our id>}, for handing to another node. */
  default Optional<Multiaddr> fullAddress() {
    return fullAddresses().stream().findFirst();
  }

  /** Stops listening, closes every connection, and stops the host's threads. */
  @Override
  void close();
}
