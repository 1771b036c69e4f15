package dev.cairn.p2p.kad;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.List;

/**
 * A peer as the DHT passes it around: its id and the addresses someone told us it listens on
 * (without {@code /p2p/}). Immutable.
 */
public record KadPeer(PeerId id, List<Multiaddr> addresses) {
  public KadPeer {
    addresses = List.copyOf(addresses);
  }
}
