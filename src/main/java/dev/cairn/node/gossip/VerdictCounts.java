package dev.cairn.node.gossip;

import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.p2p.gossip.ValidationResult;
import java.util.concurrent.atomic.LongAdder;

/** Accepted, ignored and rejected messages of one topic, counted here and in the metrics. */
final class VerdictCounts {
  private static final String[] RESULTS = {"accept", "ignore", "reject"};

  private final String topic;
  private final NodeMetrics metrics;
  private final LongAdder[] counts = {new LongAdder(), new LongAdder(), new LongAdder()};

  /** {@code topic}: the metrics' label, {@code blocks} or {@code txs}. */
  VerdictCounts(String topic, NodeMetrics metrics) {
    this.topic = topic;
    this.metrics = metrics;
  }

  /** Counts {@code r} and returns it. */
  ValidationResult count(ValidationResult r) {
    int i =
        switch (r) {
          case ValidationResult.Accept a -> 0;
          case ValidationResult.Ignore ig -> 1;
          case ValidationResult.Reject rj -> 2;
        };
    counts[i].increment();
    metrics.gossipResult(topic, RESULTS[i]);
    return r;
  }

  long accepted() {
    return counts[0].sum();
  }

  long ignored() {
    return counts[1].sum();
  }

  long rejected() {
    return counts[2].sum();
  }
}
