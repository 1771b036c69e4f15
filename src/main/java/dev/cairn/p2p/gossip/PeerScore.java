package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Peer scores, gossipsub v1.1: P1–P4 per scored topic, P5 (application), P6 (IP colocation), P7
 * (behaviour penalty), decay and retention. Plain state stepped only by the router's owner thread
 * ({@link GossipState}); times are milliseconds of the injected clock.
 *
 * <p>Bounds: stats exist for connected peers and, for {@code retainScore}, disconnected ones; the
 * delivery records that P3 needs are kept for one seen-TTL and at most {@code maxDeliveries}, the
 * oldest dropped first at the limit (a duplicate of a forgotten message then earns no P3 credit).
 */
final class PeerScore {

  private enum Status {
    VALIDATING,
    VALID,
    INVALID,
    IGNORED
  }

  private static final class Delivery {
    final long firstSeen;
    final long expires;
    Status status = Status.VALIDATING;
    long validated;
    final Set<PeerId> peers = new HashSet<>();

    Delivery(long firstSeen, long expires) {
      this.firstSeen = firstSeen;
      this.expires = expires;
    }
  }

  private static final class TopicStats {
    boolean inMesh;
    long graftTime;
    long meshTime;
    boolean meshActive;
    double firstDeliveries;
    double meshDeliveries;
    double meshFailurePenalty;
    double invalidDeliveries;
  }

  private static final class Stats {
    boolean connected = true;
    long expires;
    String ip;
    double behaviourPenalty;
    final Map<String, TopicStats> topics = new HashMap<>();

    TopicStats topic(String t) {
      return topics.computeIfAbsent(t, k -> new TopicStats());
    }
  }

  private final PeerScoreParams params;
  private final long seenTtlMillis;
  private final int maxDeliveries;
  private final Map<PeerId, Stats> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> peersByIp = new HashMap<>();
  private final LinkedHashMap<MessageId, Delivery> deliveries = new LinkedHashMap<>();
  private final Map<PeerId, Double> appScores = new HashMap<>();
  private long lastDecay;

  PeerScore(PeerScoreParams params, long seenTtlMillis, int maxDeliveries, long now) {
    this.params = params;
    this.seenTtlMillis = seenTtlMillis;
    this.maxDeliveries = maxDeliveries;
    this.lastDecay = now;
  }

  void addPeer(PeerId peer, String ip) {
    Stats s = peers.computeIfAbsent(peer, p -> new Stats());
    s.connected = true;
    if (ip != null) {
      if (s.ip != null && !s.ip.equals(ip)) {
        forgetIp(peer, s.ip); // our stream to it reopened on a connection from another address
      }
      s.ip = ip;
      peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
    }
  }

  private void forgetIp(PeerId peer, String ip) {
    Set<PeerId> same = peersByIp.get(ip);
    if (same != null) {
      same.remove(peer);
      if (same.isEmpty()) {
        peersByIp.remove(ip);
      }
    }
  }

  void removePeer(PeerId peer, long now) {
    Stats s = peers.get(peer);
    if (s == null) {
      return;
    }
    if (s.ip != null) {
      forgetIp(peer, s.ip);
    }
    // A peer leaving in good standing is forgotten; a bad one is retained so that reconnecting
    // does not wash its score (spec: "retain score").
    if (score(peer, now) > 0) {
      peers.remove(peer);
      return;
    }
    for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
      prune(s, e.getKey(), e.getValue());
    }
    s.connected = false;
    s.expires = now + params.retainScore().toMillis();
  }

  void graft(PeerId peer, String topic, long now) {
    Stats s = peers.get(peer);
    if (s == null || !params.topics().containsKey(topic)) {
      return;
    }
    TopicStats t = s.topic(topic);
    t.inMesh = true;
    t.graftTime = now;
    t.meshTime = 0;
    t.meshActive = false;
  }

  void prune(PeerId peer, String topic) {
    Stats s = peers.get(peer);
    if (s == null) {
      return;
    }
    TopicStats t = s.topics.get(topic);
    if (t != null) {
      prune(s, topic, t);
    }
  }

  private void prune(Stats s, String topic, TopicStats t) {
    TopicScoreParams tp = params.topics().get(topic);
    if (tp != null
        && t.inMesh
        && t.meshActive
        && t.meshDeliveries < tp.meshMessageDeliveriesThreshold()) {
      double deficit = tp.meshMessageDeliveriesThreshold() - t.meshDeliveries;
      t.meshFailurePenalty += deficit * deficit;
    }
    t.inMesh = false;
  }

  /**
   * Counts misbehaviour. A peer may misbehave on its inbound stream before our outbound stream to
   * it is up (and {@link #addPeer} ran), so its stats are created here if needed; a peer that
   * leaves is handled by {@link #removePeer} like any other.
   */
  void addPenalty(PeerId peer, double count) {
    peers.computeIfAbsent(peer, p -> new Stats()).behaviourPenalty += count;
  }

  void setAppScore(PeerId peer, double score) {
    appScores.put(peer, score);
  }

  /** A message we had not seen arrived from {@code from} and is now being validated. */
  void validationStarted(PeerId from, MessageId id, long now) {
    if (deliveries.size() >= maxDeliveries) {
      Iterator<Map.Entry<MessageId, Delivery>> it = deliveries.entrySet().iterator();
      it.next();
      it.remove();
    }
    Delivery d = new Delivery(now, now + seenTtlMillis);
    d.peers.add(from);
    deliveries.put(id, d);
  }

  /** Validation accepted the message first received from {@code from}. */
  void accepted(PeerId from, MessageId id, String topic, long now) {
    Delivery d = deliveries.get(id);
    if (d == null) {
      return;
    }
    d.status = Status.VALID;
    d.validated = now;
    markFirstDelivery(from, topic);
    for (PeerId p : d.peers) {
      if (!p.equals(from)) {
        markDuplicateDelivery(p, topic, d.firstSeen, now, true);
      }
    }
  }

  /**
   * The message was rejected ({@code penalise}: REJECT, a bad signature or policy violation) or
   * ignored: everyone who sent it during validation shares the verdict.
   */
  void rejected(PeerId from, MessageId id, String topic, boolean penalise) {
    Delivery d = id == null ? null : deliveries.get(id);
    if (!penalise) {
      if (d != null) {
        d.status = Status.IGNORED;
      }
      return;
    }
    markInvalid(from, topic);
    if (d != null) {
      d.status = Status.INVALID;
      for (PeerId p : d.peers) {
        if (!p.equals(from)) {
          markInvalid(p, topic);
        }
      }
    }
  }

  /**
   * Drops the delivery record of a message that was never judged (retry later): its senders get
   * neither credit nor blame, and the next copy starts a new record.
   */
  void forget(MessageId id) {
    deliveries.remove(id);
  }

  /** A message we have already seen arrived again from {@code from}. */
  void duplicate(PeerId from, MessageId id, String topic, long now) {
    Delivery d = deliveries.get(id);
    if (d == null || !d.peers.add(from)) {
      return;
    }
    switch (d.status) {
      case VALIDATING -> {
        // counted when validation ends
      }
      case VALID -> markDuplicateDelivery(from, topic, d.validated, now, false);
      case INVALID -> markInvalid(from, topic);
      case IGNORED -> {}
    }
  }

  private void markFirstDelivery(PeerId peer, String topic) {
    TopicScoreParams tp = params.topics().get(topic);
    Stats s = peers.get(peer);
    if (tp == null || s == null) {
      return;
    }
    TopicStats t = s.topic(topic);
    t.firstDeliveries = Math.min(t.firstDeliveries + 1, tp.firstMessageDeliveriesCap());
    if (t.inMesh) {
      t.meshDeliveries = Math.min(t.meshDeliveries + 1, tp.meshMessageDeliveriesCap());
    }
  }

  private void markDuplicateDelivery(
      PeerId peer, String topic, long reference, long now, boolean duringValidation) {
    TopicScoreParams tp = params.topics().get(topic);
    Stats s = peers.get(peer);
    if (tp == null || s == null) {
      return;
    }
    TopicStats t = s.topics.get(topic);
    if (t == null || !t.inMesh) {
      return;
    }
    if (!duringValidation && now - reference > tp.meshMessageDeliveriesWindow().toMillis()) {
      return;
    }
    t.meshDeliveries = Math.min(t.meshDeliveries + 1, tp.meshMessageDeliveriesCap());
  }

  private void markInvalid(PeerId peer, String topic) {
    Stats s = peers.get(peer);
    if (s == null || !params.topics().containsKey(topic)) {
      return;
    }
    s.topic(topic).invalidDeliveries += 1;
  }

  double score(PeerId peer, long now) {
    Stats s = peers.get(peer);
    if (s == null) {
      return 0;
    }
    double topicPart = 0;
    for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
      TopicScoreParams tp = params.topics().get(e.getKey());
      if (tp == null) {
        continue;
      }
      TopicStats t = e.getValue();
      double ts = 0;
      if (t.inMesh) {
        long inMesh = now - t.graftTime;
        double p1 = (double) inMesh / Math.max(1, tp.timeInMeshQuantum().toMillis());
        ts += tp.timeInMeshWeight() * Math.min(p1, tp.timeInMeshCap());
      }
      ts += tp.firstMessageDeliveriesWeight() * t.firstDeliveries;
      if (t.inMesh && t.meshActive && t.meshDeliveries < tp.meshMessageDeliveriesThreshold()) {
        double deficit = tp.meshMessageDeliveriesThreshold() - t.meshDeliveries;
        ts += tp.meshMessageDeliveriesWeight() * deficit * deficit;
      }
      ts += tp.meshFailurePenaltyWeight() * t.meshFailurePenalty;
      ts += tp.invalidMessageDeliveriesWeight() * t.invalidDeliveries * t.invalidDeliveries;
      topicPart += tp.topicWeight() * ts;
    }
    if (params.topicScoreCap() > 0) {
      topicPart = Math.min(topicPart, params.topicScoreCap());
    }
    double score = topicPart;
    score += params.appSpecificWeight() * appScores.getOrDefault(peer, 0.0);
    if (s.ip != null && !params.ipColocationWhitelist().contains(s.ip)) {
      int same = peersByIp.getOrDefault(s.ip, Set.of()).size();
      if (same > params.ipColocationFactorThreshold()) {
        double surplus = same - params.ipColocationFactorThreshold();
        score += params.ipColocationFactorWeight() * surplus * surplus;
      }
    }
    if (s.behaviourPenalty > params.behaviourPenaltyThreshold()) {
      double excess = s.behaviourPenalty - params.behaviourPenaltyThreshold();
      score += params.behaviourPenaltyWeight() * excess * excess;
    }
    return score;
  }

  /** Decays counters once per decay interval, expires retained scores and old deliveries. */
  void refresh(long now) {
    deliveries.values().removeIf(d -> d.expires <= now);
    if (now - lastDecay < params.decayInterval().toMillis()) {
      for (Stats s : peers.values()) {
        activate(s, now);
      }
      return;
    }
    lastDecay = now;
    double zero = params.decayToZero();
    Iterator<Map.Entry<PeerId, Stats>> it = peers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<PeerId, Stats> e = it.next();
      Stats s = e.getValue();
      if (!s.connected && s.expires <= now) {
        it.remove();
        appScores.remove(e.getKey());
        continue;
      }
      for (Map.Entry<String, TopicStats> te : s.topics.entrySet()) {
        TopicScoreParams tp = params.topics().get(te.getKey());
        if (tp == null) {
          continue;
        }
        TopicStats t = te.getValue();
        t.firstDeliveries = decay(t.firstDeliveries, tp.firstMessageDeliveriesDecay(), zero);
        t.meshDeliveries = decay(t.meshDeliveries, tp.meshMessageDeliveriesDecay(), zero);
        t.meshFailurePenalty = decay(t.meshFailurePenalty, tp.meshFailurePenaltyDecay(), zero);
        t.invalidDeliveries = decay(t.invalidDeliveries, tp.invalidMessageDeliveriesDecay(), zero);
      }
      s.behaviourPenalty = decay(s.behaviourPenalty, params.behaviourPenaltyDecay(), zero);
      activate(s, now);
    }
  }

  private void activate(Stats s, long now) {
    for (Map.Entry<String, TopicStats> te : s.topics.entrySet()) {
      TopicScoreParams tp = params.topics().get(te.getKey());
      TopicStats t = te.getValue();
      if (tp != null && t.inMesh) {
        t.meshTime = now - t.graftTime;
        if (t.meshTime > tp.meshMessageDeliveriesActivation().toMillis()) {
          t.meshActive = true;
        }
      }
    }
  }

  private static double decay(double v, double factor, double zero) {
    double d = v * factor;
    return d < zero ? 0 : d;
  }

  int retainedPeers() {
    return peers.size();
  }
}
