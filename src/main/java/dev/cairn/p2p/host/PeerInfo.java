package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Instant;
import java.util.List;

/**
 * What we know of a peer: an immutable snapshot from the peer store.
 *
 * @param publicKey null until learned (from Noise or identify)
 * @param agentVersion empty until identify answered
 */
public record PeerInfo(
    PeerId peerId,
    PublicKey publicKey,
    List<Multiaddr> addresses,
    List<String> protocols,
    String agentVersion,
    String protocolVersion,
    Instant updatedAt) {

  public PeerInfo {
    addresses = List.copyOf(addresses);
    protocols = List.copyOf(protocols);
  }

  static PeerInfo empty(PeerId peer, Instant now) {
    return new PeerInfo(peer, null, List.of(), List.of(), "", "", now);
  }
}
