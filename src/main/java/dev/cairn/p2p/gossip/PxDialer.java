package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.PeerStore;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.record.PeerRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Connects to the peers that gossipsub peer exchange (PX) offers: the router's owner thread calls
 * {@link #connect}, which returns at once; each dial runs on its own virtual thread, {@code
 * gossip-px-<peer>}. Once connected, the router's connection listener opens the pubsub stream as
 * for any other connection.
 *
 * <p>Per peer: skipped if banned or already connected. A signed peer record is verified (signature,
 * and that it is the record of the offered peer id); its TCP addresses are added to the peer store
 * and dialled. Without a record only a peer whose addresses the peer store already holds is dialled
 * (the spec leaves address discovery to ambient discovery then). A bad record drops the entry.
 *
 * <p>Bound: {@code maxInFlight} dials at once; an offer beyond it is dropped.
 */
final class PxDialer {
  private static final Logger LOG = LogManager.getLogger();

  private final Host host;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();

  PxDialer(Host host, int maxInFlight) {
    this.host = host;
    this.maxInFlight = maxInFlight;
  }

  /** Starts dialling {@code peer} unless {@code maxInFlight} dials are running. Never blocks. */
  void connect(PeerId peer, byte[] signedPeerRecord) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      LOG.debug("PX dial to {} dropped: {} dials in flight", peer.shortString(), maxInFlight);
      return;
    }
    Thread.ofVirtual()
        .name("gossip-px-" + peer.shortString())
        .start(
            () -> {
              try {
                dial(peer, signedPeerRecord);
              } finally {
                inFlight.decrementAndGet();
              }
            });
  }

  private void dial(PeerId peer, byte[] signedPeerRecord) {
    if (host.isBanned(peer) || host.isConnected(peer)) {
      return;
    }
    List<Multiaddr> addresses = List.of();
    if (signedPeerRecord != null) {
      try {
        addresses = recordAddresses(peer, signedPeerRecord);
      } catch (ProtocolException e) {
        LOG.debug("PX record of {} rejected: {}", peer.shortString(), e.getMessage());
        return;
      }
      if (!addresses.isEmpty()) {
        host.peerStore().addAddresses(peer, addresses);
      }
    }
    try {
      if (!addresses.isEmpty()) {
        // Dial the record's addresses themselves: the peer store applies additions on its own
        // thread, so host.connect(peer) could run before they are in.
        dialAny(peer, addresses);
      } else if (host.peerStore().get(peer).map(i -> !i.addresses().isEmpty()).orElse(false)) {
        host.connect(peer);
      } else {
        LOG.trace("PX peer {} has no known address", peer.shortString());
      }
    } catch (IOException e) {
      LOG.debug("PX dial to {} failed: {}", peer.shortString(), e.getMessage());
    }
  }

  private void dialAny(PeerId peer, List<Multiaddr> addresses) throws IOException {
    IOException last = null;
    for (Multiaddr a : addresses) {
      try {
        host.dial(a.withPeerId(peer));
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * The dialable addresses in a signed peer record offered for {@code peer}: TCP multiaddrs without
   * a {@code /p2p/} part or with {@code peer}'s, at most {@link PeerStore#MAX_ADDRESSES}; addresses
   * we cannot parse or dial are skipped.
   *
   * @throws ProtocolException if the envelope or record does not verify, or is another peer's
   */
  static List<Multiaddr> recordAddresses(PeerId peer, byte[] signedPeerRecord)
      throws ProtocolException {
    PeerRecord record = PeerRecord.decode(signedPeerRecord);
    if (!record.peerId().equals(peer)) {
      throw ProtocolException.stream(
          Reason.PEER_ID_MISMATCH, "PX entry for " + peer + " carries the record of another peer");
    }
    List<Multiaddr> out = new ArrayList<>();
    for (byte[] bytes : record.addresses()) {
      if (out.size() >= PeerStore.MAX_ADDRESSES) {
        break;
      }
      Multiaddr a;
      try {
        a = Multiaddr.decode(bytes);
      } catch (ProtocolException e) {
        continue;
      }
      if (a.isTcp() && forPeer(a, peer)) {
        out.add(a.withoutPeerId());
      }
    }
    return out;
  }

  private static boolean forPeer(Multiaddr a, PeerId peer) {
    try {
      return a.peerId().map(peer::equals).orElse(true);
    } catch (IllegalArgumentException e) {
      return false; // a /p2p/ part that is no peer id: the sender's fault, skip the address
    }
  }
}
