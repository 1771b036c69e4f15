package dev.cairn.p2p.identify;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.util.List;

/**
 * What a peer says about itself. Absent fields are null (lists: empty and {@code hasX} false), so a
 * push can update only what changed.
 *
 * @param signedPeerRecord the raw signed envelope, kept as bytes (null when absent)
 */
public record IdentifyMessage(
    String protocolVersion,
    String agentVersion,
    PublicKey publicKey,
    List<Multiaddr> listenAddrs,
    Multiaddr observedAddr,
    List<String> protocols,
    byte[] signedPeerRecord) {

  public IdentifyMessage {
    listenAddrs = listenAddrs == null ? null : List.copyOf(listenAddrs);
    protocols = protocols == null ? null : List.copyOf(protocols);
  }

  /** Fields of {@code later} replace ours where present. */
  IdentifyMessage merge(IdentifyMessage later) {
    return new IdentifyMessage(
        later.protocolVersion != null ? later.protocolVersion : protocolVersion,
        later.agentVersion != null ? later.agentVersion : agentVersion,
        later.publicKey != null ? later.publicKey : publicKey,
        later.listenAddrs != null ? later.listenAddrs : listenAddrs,
        later.observedAddr != null ? later.observedAddr : observedAddr,
        later.protocols != null ? later.protocols : protocols,
        later.signedPeerRecord != null ? later.signedPeerRecord : signedPeerRecord);
  }

  static IdentifyMessage empty() {
    return new IdentifyMessage(null, null, null, null, null, null, null);
  }
}
