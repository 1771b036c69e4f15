package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Backoff and peer exchange: who may not be grafted again until when, the PRUNEs we send (with PX
 * offers) and the PX offers we follow. Part of {@link GossipState}: stepped on its owner thread.
 */
final class Backoff extends GossipPart {
  private static final Logger LOG = LogManager.getLogger();

  private final PeerId self;
  private final GossipState.Output output;
  private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
  private int pxDials;

  Backoff(Shared shared, PeerId self, GossipState.Output output) {
    super(shared);
    this.self = self;
    this.output = output;
  }

  /** The end of {@code id}'s backoff in {@code topic}, or null if it is not in backoff. */
  Long until(String topic, PeerId id, long now) {
    Map<PeerId, Long> b = backoff.get(topic);
    Long until = b == null ? null : b.get(id);
    return until != null && until > now ? until : null;
  }

  void set(String topic, PeerId id, long until) {
    backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(id, until, Math::max);
  }

  /** Heartbeat: forgets expired backoffs and resets the PX dial budget. */
  void heartbeat(long now) {
    pxDials = 0;
    // One heartbeat of slack, as the spec asks, before a peer may be grafted again.
    long slack = config.heartbeat().toMillis();
    for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext(); ) {
      Map<PeerId, Long> b = it.next();
      b.values().removeIf(until -> until + slack < now);
      if (b.isEmpty()) {
        it.remove();
      }
    }
  }

  /**
   * Prunes {@code p} from {@code topic}'s mesh on our side: backoff, and a PRUNE if it is
   * reachable.
   */
  void sendPrune(GossipPeers.Peer p, String topic, long now, boolean px) {
    set(topic, p.id, now + config.pruneBackoff().toMillis());
    if (p.reachable()) {
      outbox.to(p.id).prune.add(pruneFor(p, topic, config.pruneBackoff().toMillis(), px));
    }
  }

  /**
   * A PRUNE for {@code p}. With {@code px} and {@code doPx}, and only to a v1.1 peer with a
   * non-negative score, it offers up to {@code prunePeers} other topic peers with non-negative
   * scores (spec: "when performing PX only peers with non-negative scores are exchanged"). Ids
   * only: we hold no signed peer records of other peers, and the spec lets us omit them.
   */
  Rpc.Prune pruneFor(GossipPeers.Peer p, String topic, long backoffMillis, boolean px) {
    if (!p.v11()) {
      return new Rpc.Prune(topic, List.of(), null);
    }
    long now = clock.millis();
    List<Rpc.PeerExchange> peersOut = new ArrayList<>();
    if (px && config.doPx() && score.score(p.id, now) >= 0) {
      for (PeerId id : GossipPeers.shuffled(peers.inTopic(topic), random)) {
        if (peersOut.size() >= config.prunePeers()) {
          break;
        }
        if (!id.equals(p.id) && peers.meshCapable(id) && score.score(id, now) >= 0) {
          peersOut.add(new Rpc.PeerExchange(id.bytes(), null));
        }
      }
    }
    return new Rpc.Prune(topic, peersOut, backoffMillis / 1000);
  }

  /** A PRUNE from {@code p} (its mesh part done by the caller): backoff, then its PX offer. */
  void pruned(GossipPeers.Peer p, Rpc.Prune pr, long now) {
    long backoffMillis =
        pr.backoffSeconds() != null
            ? Math.min(pr.backoffSeconds(), 24 * 3600L) * 1000
            : config.pruneBackoff().toMillis();
    set(pr.topic(), p.id, now + backoffMillis);
    if (!pr.peers().isEmpty()) {
      followPx(p, pr.peers(), now);
    }
  }

  /**
   * Peer exchange from a PRUNE: connect to up to {@code prunePeers} of the offered peers, within
   * the per-heartbeat budget {@code maxPxDials}, if the pruning peer's score is at least {@code
   * acceptPx}. Peers we already have, ourselves and undecodable ids are skipped. Records are
   * verified, and banned or unreachable peers skipped, by whoever does the dialling ({@link
   * GossipState.Output#connect}): signature checks and dials stay off this thread.
   */
  private void followPx(GossipPeers.Peer from, List<Rpc.PeerExchange> offered, long now) {
    double s = score.score(from.id, now);
    if (s < config.thresholds().acceptPx()) {
      LOG.debug("ignoring PX from {}: score {} below acceptPx", from.id.shortString(), s);
      return;
    }
    List<Rpc.PeerExchange> px = new ArrayList<>(offered);
    Collections.shuffle(px, random);
    int taken = 0;
    for (Rpc.PeerExchange e : px) {
      if (taken >= config.prunePeers() || pxDials >= config.maxPxDials()) {
        break;
      }
      PeerId id;
      try {
        id = PeerId.decode(e.peerId());
      } catch (ProtocolException bad) {
        LOG.debug("{} sent a bad PX peer id", from.id.shortString());
        continue;
      }
      GossipPeers.Peer known = peers.get(id);
      if (id.equals(self) || (known != null && known.reachable())) {
        continue;
      }
      taken++;
      pxDials++;
      output.connect(id, e.signedPeerRecord());
    }
  }
}
