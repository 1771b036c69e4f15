package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The meshes of the topics we are in and the fanout of those we only publish to: joining, leaving,
 * GRAFT and PRUNE, the heartbeat's mesh upkeep and the choice of who gets a message. Part of {@link
 * GossipState}: stepped on its owner thread.
 */
final class Mesh extends GossipPart {
  /**
   * Answers to at most this many GRAFTs for topics we are not in, per peer per heartbeat; further
   * ones are ignored (each answer is a PRUNE: a flood of them must not turn into one of ours).
   */
  static final int MAX_UNKNOWN_TOPIC_GRAFTS = 64;

  private final Backoff backoff;
  private final Map<String, Set<PeerId>> mesh = new HashMap<>();
  private final Map<String, Set<PeerId>> fanout = new HashMap<>();
  private final Map<String, Long> fanoutLastPublish = new HashMap<>();
  private long ticks;

  Mesh(Shared shared, Backoff backoff) {
    super(shared);
    this.backoff = backoff;
  }

  /** Whether we are in {@code topic}. */
  boolean joined(String topic) {
    return mesh.containsKey(topic);
  }

  Set<String> topics() {
    return mesh.keySet();
  }

  Set<String> fanoutTopics() {
    return fanout.keySet();
  }

  /** {@code topic}'s mesh (a live view; empty if we are not in it). */
  Set<PeerId> meshOf(String topic) {
    return mesh.getOrDefault(topic, Set.of());
  }

  Set<PeerId> fanoutOf(String topic) {
    return fanout.getOrDefault(topic, Set.of());
  }

  /** {@code id} left {@code topic}: out of its mesh and fanout. */
  void removeFromTopic(String topic, PeerId id) {
    Set<PeerId> m = mesh.get(topic);
    if (m != null && m.remove(id)) {
      score.prune(id, topic);
    }
    Set<PeerId> f = fanout.get(topic);
    if (f != null) {
      f.remove(id);
    }
  }

  void join(String topic) {
    if (mesh.containsKey(topic)) {
      return;
    }
    for (GossipPeers.Peer p : peers.all()) {
      if (p.up) {
        outbox.to(p.id).subs.add(new Rpc.SubOpts(true, topic));
      }
    }
    long now = clock.millis();
    Set<PeerId> m = new LinkedHashSet<>();
    Set<PeerId> f = fanout.remove(topic);
    fanoutLastPublish.remove(topic);
    if (f != null) {
      for (PeerId id : f) {
        if (m.size() < config.d() && score.score(id, now) >= 0) {
          m.add(id);
        }
      }
    }
    mesh.put(topic, m);
    List<PeerId> more = candidates(topic, now, m, 0);
    for (PeerId id : more.subList(0, Math.min(more.size(), config.d() - m.size()))) {
      m.add(id);
    }
    for (PeerId id : m) {
      outbox.to(id).graft.add(new Rpc.Graft(topic));
      score.graft(id, topic, now);
    }
  }

  void leave(String topic) {
    Set<PeerId> m = mesh.remove(topic);
    if (m == null) {
      return;
    }
    for (GossipPeers.Peer p : peers.all()) {
      if (p.up) {
        outbox.to(p.id).subs.add(new Rpc.SubOpts(false, topic));
      }
    }
    long now = clock.millis();
    for (PeerId id : m) {
      score.prune(id, topic);
      GossipPeers.Peer p = peers.get(id);
      if (p != null) {
        outbox
            .to(id)
            .prune
            .add(backoff.pruneFor(p, topic, config.unsubscribeBackoff().toMillis(), true));
      }
      backoff.set(topic, id, now + config.unsubscribeBackoff().toMillis());
    }
  }

  /** The peers a message we publish in {@code topic} goes to (fanout kept for it if not in). */
  Set<PeerId> publishTargets(String topic, long now) {
    Set<PeerId> targets = new LinkedHashSet<>();
    Set<PeerId> known = peers.inTopic(topic);
    if (config.floodPublish()) {
      for (PeerId id : known) {
        if (score.score(id, now) >= config.thresholds().publish()) {
          targets.add(id);
        }
      }
    } else if (mesh.containsKey(topic)) {
      targets.addAll(mesh.get(topic));
    } else {
      Set<PeerId> f = fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
      if (f.isEmpty()) {
        for (PeerId id : GossipPeers.shuffled(known, random)) {
          if (f.size() < config.d()
              && peers.meshCapable(id)
              && score.score(id, now) >= config.thresholds().publish()) {
            f.add(id);
          }
        }
      }
      targets.addAll(f);
      fanoutLastPublish.put(topic, now);
    }
    for (PeerId id : known) {
      if (peers.isFloodsub(id)) {
        targets.add(id);
      }
    }
    return targets;
  }

  /**
   * Relays an accepted message to the mesh and floodsub peers but its source, its author and peers
   * that sent IDONTWANT for it.
   */
  void forward(Rpc.Message m, MessageId mid, PeerId source, PeerId author, DontWant dontWant) {
    Set<PeerId> targets = new LinkedHashSet<>(mesh.getOrDefault(m.topic(), Set.of()));
    for (PeerId id : peers.inTopic(m.topic())) {
      if (peers.isFloodsub(id)) {
        targets.add(id);
      }
    }
    targets.remove(source);
    if (author != null) {
      targets.remove(author);
    }
    for (PeerId t : targets) {
      if (!dontWant.skip(t, mid)) {
        outbox.to(t).messages.add(m);
      }
    }
  }

  /** A GRAFT from {@code p}. */
  void graft(GossipPeers.Peer p, String topic, long now) {
    if (p.floodsub()) {
      return;
    }
    Set<PeerId> m = mesh.get(topic);
    if (m == null) {
      // Spec (v1.0 GRAFT): a router not subscribed answers PRUNE so the sender drops its link.
      // No PX (it would leak our peers to anyone naming a topic) and no backoff entry of ours
      // (topics we are not in must not grow our state); answers per heartbeat are bounded.
      if (p.unknownGrafts++ < MAX_UNKNOWN_TOPIC_GRAFTS) {
        outbox
            .to(p.id)
            .prune
            .add(backoff.pruneFor(p, topic, config.pruneBackoff().toMillis(), false));
      }
      return;
    }
    if (m.contains(p.id)) {
      return;
    }
    Long until = backoff.until(topic, p.id, now);
    if (until != null) {
      // GRAFT inside our backoff: P7 penalty, a second one inside the flood threshold, PRUNE
      // again (which refreshes the backoff) and no PX for a peer that ignores our backoff.
      score.addPenalty(p.id, 1);
      long pruned = until - config.pruneBackoff().toMillis();
      if (now < pruned + config.graftFloodThreshold().toMillis()) {
        score.addPenalty(p.id, 1);
      }
      backoff.sendPrune(p, topic, now, false);
      return;
    }
    if (score.score(p.id, now) < 0) {
      backoff.sendPrune(p, topic, now, false);
      return;
    }
    if (m.size() >= config.dHi() && !p.outbound) {
      backoff.sendPrune(p, topic, now, true);
      return;
    }
    m.add(p.id);
    score.graft(p.id, topic, now);
  }

  /** A PRUNE from {@code p}: out of the mesh, then its backoff and PX. */
  void pruned(GossipPeers.Peer p, Rpc.Prune pr, long now) {
    Set<PeerId> m = mesh.get(pr.topic());
    if (m != null && m.remove(p.id)) {
      score.prune(p.id, pr.topic());
    }
    backoff.pruned(p, pr, now);
  }

  /** Heartbeat upkeep of every mesh, then of the fanout. */
  void heartbeat(long now) {
    ticks++;
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      maintainMesh(e.getKey(), e.getValue(), now);
    }
    maintainFanout(now);
  }

  private void maintainMesh(String topic, Set<PeerId> m, long now) {
    Map<PeerId, Double> scores = new HashMap<>();
    for (PeerId id : m) {
      scores.put(id, score.score(id, now));
    }
    for (Iterator<PeerId> it = m.iterator(); it.hasNext(); ) {
      PeerId id = it.next();
      GossipPeers.Peer p = peers.get(id);
      if (p == null || !p.reachable() || scores.get(id) < 0) {
        it.remove();
        score.prune(id, topic);
        if (p != null && p.reachable()) {
          backoff.sendPrune(p, topic, now, false); // a negative score: no PX for it
        }
      }
    }
    if (m.size() < config.dLo()) {
      graftAll(topic, m, candidates(topic, now, m, 0), config.d() - m.size(), now);
    }
    if (m.size() > config.dHi()) {
      List<PeerId> byScore = new ArrayList<>(m);
      Collections.shuffle(byScore, random);
      byScore.sort(Comparator.comparingDouble((PeerId id) -> -score.score(id, now)));
      List<PeerId> keep = new ArrayList<>(byScore.subList(0, config.dScore()));
      List<PeerId> rest = new ArrayList<>(byScore.subList(config.dScore(), byScore.size()));
      Collections.shuffle(rest, random);
      keep.addAll(rest.subList(0, config.d() - config.dScore()));
      List<PeerId> dropped =
          new ArrayList<>(rest.subList(config.d() - config.dScore(), rest.size()));
      // Keep at least D_out outbound peers: swap dropped outbound peers for kept inbound ones.
      int outbound = (int) keep.stream().filter(peers::isOutbound).count();
      for (int i = 0; outbound < config.dOut() && i < dropped.size(); i++) {
        PeerId candidate = dropped.get(i);
        if (!peers.isOutbound(candidate)) {
          continue;
        }
        for (int j = keep.size() - 1; j >= config.dScore(); j--) {
          if (!peers.isOutbound(keep.get(j))) {
            dropped.set(i, keep.get(j));
            keep.set(j, candidate);
            outbound++;
            break;
          }
        }
      }
      for (PeerId id : dropped) {
        m.remove(id);
        score.prune(id, topic);
        backoff.sendPrune(peers.get(id), topic, now, true);
      }
    }
    if (m.size() >= config.dLo()) {
      int outbound = (int) m.stream().filter(peers::isOutbound).count();
      if (outbound < config.dOut()) {
        List<PeerId> out = candidates(topic, now, m, 0).stream().filter(peers::isOutbound).toList();
        graftAll(topic, m, out, config.dOut() - outbound, now);
      }
    }
    if (ticks % config.opportunisticGraftTicks() == 0 && m.size() > 1) {
      List<Double> sorted = m.stream().map(id -> score.score(id, now)).sorted().toList();
      double median = sorted.get(sorted.size() / 2);
      if (median < config.thresholds().opportunisticGraft()) {
        List<PeerId> better =
            candidates(topic, now, m, 0).stream()
                .filter(id -> score.score(id, now) > median)
                .toList();
        graftAll(topic, m, better, config.opportunisticGraftPeers(), now);
      }
    }
  }

  private void graftAll(String topic, Set<PeerId> m, List<PeerId> from, int n, long now) {
    for (PeerId id : from.subList(0, Math.max(0, Math.min(n, from.size())))) {
      m.add(id);
      score.graft(id, topic, now);
      outbox.to(id).graft.add(new Rpc.Graft(topic));
    }
  }

  /** Topic peers that could join the mesh, shuffled: up, gossipsub, not in backoff, score ≥ min. */
  private List<PeerId> candidates(String topic, long now, Set<PeerId> exclude, double min) {
    List<PeerId> out = new ArrayList<>();
    for (PeerId id : peers.inTopic(topic)) {
      if (peers.meshCapable(id)
          && !exclude.contains(id)
          && backoff.until(topic, id, now) == null
          && score.score(id, now) >= min) {
        out.add(id);
      }
    }
    Collections.shuffle(out, random);
    return out;
  }

  private void maintainFanout(long now) {
    for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, Set<PeerId>> e = it.next();
      String topic = e.getKey();
      if (fanoutLastPublish.getOrDefault(topic, 0L) + config.fanoutTtl().toMillis() < now) {
        it.remove();
        fanoutLastPublish.remove(topic);
        continue;
      }
      Set<PeerId> f = e.getValue();
      Set<PeerId> known = peers.inTopic(topic);
      f.removeIf(id -> !known.contains(id) || score.score(id, now) < config.thresholds().publish());
      if (f.size() < config.d()) {
        for (PeerId id : candidates(topic, now, f, config.thresholds().publish())) {
          if (f.size() >= config.d()) {
            break;
          }
          f.add(id);
        }
      }
    }
  }
}
