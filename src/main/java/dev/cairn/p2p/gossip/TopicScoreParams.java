package dev.cairn.p2p.gossip;

import java.time.Duration;

/**
 * Per-topic score parameters P1–P4 (gossipsub v1.1, "Topic Parameter Calculation"). Weights of P3,
 * P3b and P4 must be negative or zero, of P1 and P2 positive or zero. Decays are factors applied
 * every {@link PeerScoreParams#decayInterval()}. Defaults are js-libp2p's.
 */
public record TopicScoreParams(
    double topicWeight,
    double timeInMeshWeight,
    Duration timeInMeshQuantum,
    double timeInMeshCap,
    double firstMessageDeliveriesWeight,
    double firstMessageDeliveriesDecay,
    double firstMessageDeliveriesCap,
    double meshMessageDeliveriesWeight,
    double meshMessageDeliveriesDecay,
    double meshMessageDeliveriesCap,
    double meshMessageDeliveriesThreshold,
    Duration meshMessageDeliveriesWindow,
    Duration meshMessageDeliveriesActivation,
    double meshFailurePenaltyWeight,
    double meshFailurePenaltyDecay,
    double invalidMessageDeliveriesWeight,
    double invalidMessageDeliveriesDecay) {

  public TopicScoreParams {
    if (timeInMeshWeight < 0
        || firstMessageDeliveriesWeight < 0
        || meshMessageDeliveriesWeight > 0
        || meshFailurePenaltyWeight > 0
        || invalidMessageDeliveriesWeight > 0
        || topicWeight < 0) {
      throw new IllegalArgumentException("score weight with the wrong sign");
    }
  }

  public static TopicScoreParams defaults() {
    return new TopicScoreParams(
        0.5,
        1,
        Duration.ofSeconds(1),
        3600,
        1,
        0.5,
        2000,
        -1,
        0.5,
        100,
        20,
        Duration.ofMillis(10),
        Duration.ofSeconds(5),
        -1,
        0.5,
        -1,
        0.3);
  }

  /**
   * Only P4 (invalid messages) and P2 (first deliveries): what a topic with irregular traffic, like
   * blocks, can use without penalising quiet mesh peers.
   */
  public static TopicScoreParams invalidMessagesOnly() {
    TopicScoreParams d = defaults();
    return new TopicScoreParams(
        d.topicWeight,
        0,
        d.timeInMeshQuantum,
        d.timeInMeshCap,
        d.firstMessageDeliveriesWeight,
        d.firstMessageDeliveriesDecay,
        d.firstMessageDeliveriesCap,
        0,
        d.meshMessageDeliveriesDecay,
        d.meshMessageDeliveriesCap,
        d.meshMessageDeliveriesThreshold,
        d.meshMessageDeliveriesWindow,
        d.meshMessageDeliveriesActivation,
        0,
        d.meshFailurePenaltyDecay,
        d.invalidMessageDeliveriesWeight,
        d.invalidMessageDeliveriesDecay);
  }
}
