package dev.cairn.chain.consensus;

import java.util.Arrays;
import java.util.List;

/**
 * Timestamp rules: a block's time must be after the median of the last {@link #MEDIAN_SPAN} blocks'
 * times (its parent and up to ten ancestors) and at most {@code maxFutureDriftMillis} ahead of the
 * local clock.
 */
public final class TimeRules {
  /** Blocks in the median-time-past. */
  public static final int MEDIAN_SPAN = 11;

  private TimeRules() {}

  /** The median of up to the last 11 timestamps (any order; the upper median when even). */
  public static long medianTimePast(List<Long> recentTimestamps) {
    if (recentTimestamps.isEmpty() || recentTimestamps.size() > MEDIAN_SPAN) {
      throw new IllegalArgumentException("need 1 to 11 timestamps");
    }
    long[] t = recentTimestamps.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(t);
    return t[t.length / 2];
  }
}
