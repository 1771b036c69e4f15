package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gossip about messages: the IHAVEs we emit each heartbeat, the IHAVEs and IWANTs we answer, and
 * the promises a peer makes by offering an id we then ask for. Part of {@link GossipState}: stepped
 * on its owner thread.
 */
final class Gossip extends GossipPart {
  private final Mesh mesh;
  private final Map<MessageId, Map<PeerId, Long>> promises = new HashMap<>();

  Gossip(Shared shared, Mesh mesh) {
    super(shared);
    this.mesh = mesh;
  }

  /** {@code id} arrived: whoever promised it kept the promise. */
  void arrived(MessageId id) {
    promises.remove(id);
  }

  void ihave(GossipPeers.Peer p, List<Rpc.IHave> ihaves) {
    if (ihaves.isEmpty()) {
      return;
    }
    p.ihaves++;
    if (p.ihaves > config.maxIHaveMessages() || p.asked >= config.maxIHaveLength()) {
      return; // spam protection: at the per-heartbeat limit further IHAVEs are ignored
    }
    // Linear and capped: one hash lookup per id, and at most maxIHaveLength ids examined per RPC
    // (the most we could ask for), so an IHAVE of 10,000 ids costs what one of 5,000 does.
    int budget = config.maxIHaveLength();
    Set<MessageId> unseen = new LinkedHashSet<>();
    examine:
    for (Rpc.IHave h : ihaves) {
      if (!mesh.joined(h.topic())) {
        continue;
      }
      for (MessageId id : h.ids()) {
        if (budget-- <= 0) {
          break examine;
        }
        if (!seen.contains(id)) {
          unseen.add(id);
        }
      }
    }
    if (unseen.isEmpty()) {
      return;
    }
    List<MessageId> want = new ArrayList<>(unseen);
    Collections.shuffle(want, random);
    int room = config.maxIHaveLength() - p.asked;
    if (want.size() > room) {
      want = new ArrayList<>(want.subList(0, room));
    }
    p.asked += want.size();
    // One promise per IWANT, for a random one of its ids (as go does): a peer whose message has
    // just left its cache is not punished once per id.
    long expiry = clock.millis() + config.iwantFollowup().toMillis();
    promises.computeIfAbsent(want.get(0), k -> new HashMap<>()).putIfAbsent(p.id, expiry);
    outbox.to(p.id).iwant.add(new Rpc.IWant(want));
  }

  void iwant(GossipPeers.Peer p, List<Rpc.IWant> iwants) {
    for (Rpc.IWant w : iwants) {
      for (MessageId id : w.ids()) {
        if (p.dontWant != null && p.dontWant.expiries.containsKey(id)) {
          continue; // it told us it has the message (v1.2)
        }
        Rpc.Message m = mcache.getForPeer(id, p.id, config.gossipRetransmission());
        if (m != null) {
          outbox.to(p.id).messages.add(m);
        }
      }
    }
  }

  /** Heartbeat: penalises promises broken by now. */
  void brokenPromises(long now) {
    Map<PeerId, Integer> broken = new HashMap<>();
    for (Iterator<Map<PeerId, Long>> it = promises.values().iterator(); it.hasNext(); ) {
      Map<PeerId, Long> byPeer = it.next();
      byPeer
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue() <= now) {
                  broken.merge(e.getKey(), 1, Integer::sum);
                  return true;
                }
                return false;
              });
      if (byPeer.isEmpty()) {
        it.remove();
      }
    }
    broken.forEach((peer, n) -> score.addPenalty(peer, n));
  }

  /** Heartbeat: IHAVEs of the recent messages to some topic peers outside mesh and fanout. */
  void emit(long now) {
    Set<String> topics = new HashSet<>(mesh.topics());
    topics.addAll(mesh.fanoutTopics());
    for (String topic : topics) {
      List<MessageId> ids = mcache.gossipIds(topic);
      if (ids.isEmpty()) {
        continue;
      }
      Set<PeerId> exclude = new HashSet<>(mesh.meshOf(topic));
      exclude.addAll(mesh.fanoutOf(topic));
      List<PeerId> eligible = new ArrayList<>();
      for (PeerId id : peers.inTopic(topic)) {
        if (peers.meshCapable(id)
            && !exclude.contains(id)
            && score.score(id, now) >= config.thresholds().gossip()) {
          eligible.add(id);
        }
      }
      Collections.shuffle(eligible, random);
      int n = Math.max(config.dLazy(), (int) (config.gossipFactor() * eligible.size()));
      for (PeerId id : eligible.subList(0, Math.min(n, eligible.size()))) {
        List<MessageId> send = ids;
        if (ids.size() > config.maxIHaveLength()) {
          send = new ArrayList<>(ids);
          Collections.shuffle(send, random);
          send = send.subList(0, config.maxIHaveLength());
        }
        outbox.to(id).ihave.add(new Rpc.IHave(topic, send));
      }
    }
  }
}
