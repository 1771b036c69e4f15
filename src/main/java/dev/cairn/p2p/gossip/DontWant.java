package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gossipsub v1.2 IDONTWANT: the ones we send (to our mesh peers, for a large message as soon as it
 * first arrives, before it is validated, as the spec allows) and the ones we honour (a message
 * whose id a peer announced is not relayed to that peer). Part of {@link GossipState}: stepped on
 * its owner thread.
 *
 * <p>Bounds on what a peer's IDONTWANTs cost us: per peer per heartbeat at most {@code
 * idontwantMaxIds} ids are looked at (the rest of its IDONTWANTs are ignored, which costs it only
 * duplicates); per peer at most {@code idontwantMaxIds} ids and {@code idontwantMaxIds} × {@link
 * #AVERAGE_ID_BYTES} bytes of ids are kept (further ids ignored until some expire), each for {@code
 * idontwantTtl}.
 */
final class DontWant extends GossipPart {
  /** Bytes per id the per-peer byte bound assumes (ids are 20–80 bytes in practice). */
  static final int AVERAGE_ID_BYTES = 64;

  private final Mesh mesh;
  private final GossipCounters counters;

  DontWant(Shared shared, Mesh mesh, GossipCounters counters) {
    super(shared);
    this.mesh = mesh;
    this.counters = counters;
  }

  /** Ids a peer asked us not to send, with their expiry (insertion order is expiry order). */
  static final class Ids {
    final LinkedHashMap<MessageId, Long> expiries = new LinkedHashMap<>();
    long bytes;
    int examined;
  }

  /** A first-seen message {@code id} arrived from {@code from}: IDONTWANT to our mesh if large. */
  void arrived(PeerId from, Rpc.Message m, MessageId id) {
    int threshold = config.idontwantThreshold();
    if (threshold <= 0 || m.data() == null || m.data().length < threshold) {
      return;
    }
    for (PeerId to : mesh.meshOf(m.topic())) {
      GossipPeers.Peer p = peers.get(to);
      if (to.equals(from) || p == null || !p.up || !p.v12()) {
        continue;
      }
      outbox.to(to).idontwant.add(new Rpc.IDontWant(List.of(id)));
      counters.idontwantSent.incrementAndGet();
    }
  }

  /** IDONTWANTs from {@code p}: remembered within its bounds. */
  void received(GossipPeers.Peer p, List<Rpc.IDontWant> dontWants, long now) {
    if (dontWants.isEmpty()) {
      return;
    }
    int max = config.idontwantMaxIds();
    long maxBytes = (long) max * AVERAGE_ID_BYTES;
    long expiry = now + config.idontwantTtl().toMillis();
    Ids ids = p.dontWant;
    for (Rpc.IDontWant d : dontWants) {
      for (MessageId id : d.ids()) {
        if (ids == null) {
          ids = p.dontWant = new Ids();
        }
        if (ids.examined++ >= max) {
          return; // this heartbeat's share of work for this peer is spent
        }
        if (ids.expiries.size() >= max
            || ids.bytes + id.length() > maxBytes
            || ids.expiries.containsKey(id)) {
          continue;
        }
        ids.expiries.put(id, expiry);
        ids.bytes += id.length();
        counters.idontwantReceived.incrementAndGet();
      }
    }
  }

  /** Whether {@code to} told us it does not want {@code id} (counted as a send spared). */
  boolean skip(PeerId to, MessageId id) {
    GossipPeers.Peer p = peers.get(to);
    if (p == null || p.dontWant == null || !p.dontWant.expiries.containsKey(id)) {
      return false;
    }
    counters.idontwantSuppressed.incrementAndGet();
    return true;
  }

  /** Heartbeat: forgets expired ids and opens each peer's next share of work. */
  void heartbeat(long now) {
    for (GossipPeers.Peer p : peers.all()) {
      Ids ids = p.dontWant;
      if (ids == null) {
        continue;
      }
      ids.examined = 0;
      for (Iterator<Map.Entry<MessageId, Long>> it = ids.expiries.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<MessageId, Long> e = it.next();
        if (e.getValue() > now) {
          break;
        }
        ids.bytes -= e.getKey().length();
        it.remove();
      }
      if (ids.expiries.isEmpty()) {
        p.dontWant = null;
      }
    }
  }

  /** Ids {@code peer} asked us not to send, now kept (tests). */
  int kept(PeerId peer) {
    GossipPeers.Peer p = peers.get(peer);
    return p == null || p.dontWant == null ? 0 : p.dontWant.expiries.size();
  }
}
