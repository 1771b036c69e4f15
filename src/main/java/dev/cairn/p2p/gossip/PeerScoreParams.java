package dev.cairn.p2p.gossip;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Global score parameters P5–P7, decay, retention and the scored topics (gossipsub v1.1, "Peer
 * Scoring"). As in js-libp2p, only topics listed in {@code topics} get P1–P4; the global terms
 * apply to every peer. Defaults are js-libp2p's, except that loopback addresses are exempt from the
 * IP colocation factor (P6): peers on our own loopback are test nodes, never Sybils.
 *
 * @param topics per-topic parameters
 * @param topicScoreCap cap of the summed topic part (0: none)
 * @param appSpecificWeight weight of P5, the application's own score
 * @param ipColocationFactorWeight weight of P6 (negative)
 * @param ipColocationFactorThreshold peers per IP allowed before P6 counts
 * @param ipColocationWhitelist IPs (as text) exempt from P6
 * @param behaviourPenaltyWeight weight of P7 (negative)
 * @param behaviourPenaltyThreshold P7 counts only above this
 * @param behaviourPenaltyDecay decay factor of the P7 counter
 * @param decayInterval how often counters decay
 * @param decayToZero counters below it become 0
 * @param retainScore how long a disconnected peer's score is kept
 */
public record PeerScoreParams(
    Map<String, TopicScoreParams> topics,
    double topicScoreCap,
    double appSpecificWeight,
    double ipColocationFactorWeight,
    int ipColocationFactorThreshold,
    Set<String> ipColocationWhitelist,
    double behaviourPenaltyWeight,
    double behaviourPenaltyThreshold,
    double behaviourPenaltyDecay,
    Duration decayInterval,
    double decayToZero,
    Duration retainScore) {

  public PeerScoreParams {
    topics = Map.copyOf(topics);
    ipColocationWhitelist = Set.copyOf(ipColocationWhitelist);
    if (ipColocationFactorWeight > 0 || behaviourPenaltyWeight > 0) {
      throw new IllegalArgumentException("P6 and P7 weights must not be positive");
    }
  }

  public static PeerScoreParams defaults() {
    return new PeerScoreParams(
        Map.of(),
        10,
        10,
        -5,
        10,
        Set.of("127.0.0.1", "::1"),
        -10,
        0,
        0.2,
        Duration.ofSeconds(1),
        0.1,
        Duration.ofHours(1));
  }

  /** A copy that scores {@code topic} with {@code params}. */
  public PeerScoreParams withTopic(String topic, TopicScoreParams params) {
    Map<String, TopicScoreParams> m = new HashMap<>(topics);
    m.put(topic, params);
    return new PeerScoreParams(
        m,
        topicScoreCap,
        appSpecificWeight,
        ipColocationFactorWeight,
        ipColocationFactorThreshold,
        ipColocationWhitelist,
        behaviourPenaltyWeight,
        behaviourPenaltyThreshold,
        behaviourPenaltyDecay,
        decayInterval,
        decayToZero,
        retainScore);
  }
}
