package dev.cairn.chain.consensus;

import java.util.Comparator;

/**
 * Fork choice: the chain with the most cumulative work wins, not the one with the most blocks.
 * Between equal work the head already held stays (first seen), so {@link #prefers} is strict; the
 * {@link #ORDER} comparator breaks ties by lower hash only so sorting is deterministic.
 */
public final class ForkChoice {
  /** More work is greater; then lower height (less work per block is no merit), then lower hash. */
  public static final Comparator<ChainTip> ORDER =
      Comparator.comparing(ChainTip::cumulativeWork)
          .thenComparing(ChainTip::height, Comparator.reverseOrder())
          .thenComparing(ChainTip::hash, Comparator.reverseOrder());

  private ForkChoice() {}

  /** True if {@code candidate} should replace {@code current} as head: strictly more work. */
  public static boolean prefers(ChainTip candidate, ChainTip current) {
    return candidate.cumulativeWork().compareTo(current.cumulativeWork()) > 0;
  }
}
