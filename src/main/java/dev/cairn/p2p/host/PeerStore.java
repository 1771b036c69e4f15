package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the host knows of peers. Reads see immutable {@link PeerInfo} snapshots and never wait;
 * writes are handed to the connection manager's owner thread, which is the only writer. Bounded:
 * past {@link #MAX_PEERS} the least recently updated peer without a connection is forgotten, and
 * each peer keeps at most {@link #MAX_ADDRESSES} addresses and {@link #MAX_PROTOCOLS} protocols.
 */
public interface PeerStore {
  int MAX_PEERS = 10_000;
  int MAX_ADDRESSES = 16;
  int MAX_PROTOCOLS = 128;

  Optional<PeerInfo> get(PeerId peer);

  Collection<PeerInfo> all();

  /** Adds addresses we may dial the peer on (newest first; capped). */
  void addAddresses(PeerId peer, List<Multiaddr> addresses);

  /** Records what identify told us: replaces the fields that are non-null. */
  void update(
      PeerId peer,
      PublicKey publicKey,
      List<Multiaddr> listenAddresses,
      List<String> protocols,
      String agentVersion,
      String protocolVersion);
}
