package dev.cairn.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code GossipBenchmark --hops}: where the time of a publish-to-last-delivery goes. Each
 * receiver's handler records when it got the message and from which node; a hop's delay is the
 * receiver's time minus its sender's (the publisher's is the moment before {@code publish()}).
 * Prints the hop delays' distribution, the slowest messages' paths to their last receiver, and
 * where the slow hops fall in the heartbeat period (the routers tick 100 ms after their start, then
 * every second).
 */
final class HopTrace {
  private final int nodes;
  private final long[] started;
  private final List<long[]> hopDelays = new ArrayList<>(); // {delay, sender, receiver, start}
  private final List<Object[]> messages = new ArrayList<>(); // {latency, description}

  HopTrace(int nodes, long[] started) {
    this.nodes = nodes;
    this.started = started;
  }

  void add(long key, int publisher, long t0, GossipBenchmark.Delivery d) {
    long[] at = d.at().clone();
    at[publisher] = t0;
    int last = -1;
    for (int i = 0; i < nodes; i++) {
      if (i == publisher) {
        continue;
      }
      int from = d.from()[i];
      if (from >= 0) {
        hopDelays.add(new long[] {at[i] - at[from], from, i, at[from]});
      }
      if (last < 0 || at[i] > at[last]) {
        last = i;
      }
    }
    StringBuilder path = new StringBuilder();
    int n = last;
    int depth = 0;
    while (n != publisher && n >= 0 && depth < nodes) {
      int from = d.from()[n];
      path.insert(
          0,
          String.format(
              Locale.ROOT, " -%.1f-> %d", (at[n] - (from >= 0 ? at[from] : t0)) / 1e6, n));
      n = from;
      depth++;
    }
    path.insert(0, publisher);
    messages.add(
        new Object[] {
          at[last] - t0,
          String.format(
              Locale.ROOT,
              "msg %d at %.3f s (JVM uptime, as -Xlog:gc): %.1f ms, %d hops, heartbeat phase %d ms: %s",
              key,
              (java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
                      - (System.nanoTime() - t0) / 1_000_000L)
                  / 1e3,
              (at[last] - t0) / 1e6,
              depth,
              phase(publisher, t0),
              path)
        });
  }

  /** Milliseconds since {@code node}'s last heartbeat tick (approximate: from its start). */
  private long phase(int node, long t) {
    long sinceFirst = (t - started[node]) / 1_000_000L - 100;
    return Math.floorMod(sinceFirst, 1000L);
  }

  void print() {
    long[] delays = hopDelays.stream().mapToLong(h -> h[0]).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "hops: %d, delay p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        delays.length,
        delays[delays.length / 2] / 1e6,
        delays[(int) (delays.length * 0.9)] / 1e6,
        delays[(int) (delays.length * 0.99)] / 1e6,
        delays[delays.length - 1] / 1e6);
    int[] slowBySender = new int[nodes];
    int[] phaseBuckets = new int[10];
    int slow = 0;
    for (long[] h : hopDelays) {
      if (h[0] > 5_000_000L) {
        slow++;
        slowBySender[(int) h[1]]++;
        phaseBuckets[(int) (phase((int) h[1], h[3]) / 100)]++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "hops over 5 ms: %d; by sender %s; by heartbeat phase (100 ms buckets) %s%n",
        slow,
        Arrays.toString(slowBySender),
        Arrays.toString(phaseBuckets));
    messages.sort((a, b) -> Long.compare((long) b[0], (long) a[0]));
    for (int i = 0; i < Math.min(8, messages.size()); i++) {
      System.out.println(messages.get(i)[1]);
    }
    System.out.println("median: " + messages.get(messages.size() / 2)[1]);
  }
}
