package dev.cairn.node.gossip;

import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.PeerScoreParams;
import dev.cairn.p2p.gossip.PeerScoreThresholds;
import dev.cairn.p2p.gossip.TopicScoreParams;
import java.time.Duration;

/**
 * The gossipsub v1.1 peer-score parameters of Cairn's two topics and its score thresholds: what a
 * router carrying the chain must run with ({@link #scored}), so that the invalid messages {@link
 * NodeGossip}'s validators reject cost their sender.
 */
public final class GossipScoring {
  private GossipScoring() {}

  /**
   * Score thresholds of Cairn's gossip (gossipsub v1.1 "Score Thresholds"); see {@link #scored}.
   */
  public static final PeerScoreThresholds THRESHOLDS =
      new PeerScoreThresholds(-10, -50, -80, 10, 3);

  /**
   * {@code base} with score parameters for {@code network}'s two topics and {@link #THRESHOLDS}:
   * what a router carrying Cairn's chain must run with, so that invalid messages cost their sender.
   *
   * <p>Both topics: P4 (invalid deliveries) weighs heavily and decays slowly (half-life 10 min):
   * one invalid block (-100) graylists its sender at once, three invalid transactions (-10, -40,
   * -90) do. P2 (first deliveries) rewards modestly: 1 a block up to 5, 0.1 a transaction up to 20,
   * half-lives 20 and 5 minutes. P1 (time in mesh) gives up to 3 after an hour. P3/P3b (mesh
   * delivery rate) are off: blocks and transactions come irregularly, so a quiet mesh peer is not a
   * failing one. Transactions count half (topic weight 0.5). Positive scores stay under the topic
   * cap of 10, so no amount of good behaviour buys an invalid block.
   */
  public static GossipConfig scored(GossipConfig base, String network) {
    PeerScoreParams p = base.score();
    Duration interval = p.decayInterval();
    TopicScoreParams blocks = topicParams(interval, 1.0, 1.0, Duration.ofMinutes(20), 5, -100);
    TopicScoreParams txs = topicParams(interval, 0.5, 0.1, Duration.ofMinutes(5), 20, -20);
    return base.withScore(
        p.withTopic(NodeGossip.blocksTopic(network), blocks)
            .withTopic(NodeGossip.txsTopic(network), txs),
        THRESHOLDS);
  }

  private static TopicScoreParams topicParams(
      Duration interval,
      double topicWeight,
      double firstWeight,
      Duration firstHalfLife,
      double firstCap,
      double invalidWeight) {
    TopicScoreParams d = TopicScoreParams.defaults();
    return new TopicScoreParams(
        topicWeight,
        3.0 / 3600, // P1: 3 after an hour in the mesh
        Duration.ofSeconds(1),
        3600,
        firstWeight,
        halfLife(interval, firstHalfLife),
        firstCap,
        0, // P3 off: irregular traffic
        d.meshMessageDeliveriesDecay(),
        d.meshMessageDeliveriesCap(),
        d.meshMessageDeliveriesThreshold(),
        d.meshMessageDeliveriesWindow(),
        d.meshMessageDeliveriesActivation(),
        0, // P3b off, as P3
        d.meshFailurePenaltyDecay(),
        invalidWeight,
        halfLife(interval, Duration.ofMinutes(10)));
  }

  /** The decay factor per {@code interval} that halves a counter in {@code halfLife}. */
  static double halfLife(Duration interval, Duration halfLife) {
    return Math.pow(0.5, (double) interval.toMillis() / halfLife.toMillis());
  }
}
