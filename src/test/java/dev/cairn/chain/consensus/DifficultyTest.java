package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DifficultyTest {
  static final long T0 = 1_795_219_200_000L;
  static final long BLOCK = 1_000;
  static final long HALF_LIFE = 20 * BLOCK;

  /** Start difficulty for 1,000 hashes per ms at 1 s blocks: 10^6 hashes per block. */
  static final int START_BITS =
      CompactTarget.fromTarget(BigInteger.ONE.shiftLeft(256).divide(BigInteger.valueOf(1_000_000)));

  static NetworkParams params() {
    return new NetworkParams(
        "sim", 9, T0, START_BITS, 0x207fffff, BLOCK, HALF_LIFE, 5_000, 1, 0, 0, List.of());
  }

  static double ratio(int a, int b) {
    return new BigDecimal(CompactTarget.toTarget(a))
        .divide(new BigDecimal(CompactTarget.toTarget(b)), MathContext.DECIMAL64)
        .doubleValue();
  }

  @Test
  void onScheduleKeepsTheTarget() {
    NetworkParams p = params();
    for (long h = 0; h < 1000; h += 37) {
      assertThat(Difficulty.nextBits(p, h, T0 + h * BLOCK)).isEqualTo(START_BITS);
    }
  }

  @Test
  void oneHalfLifeBehindDoublesAndAheadHalves() {
    NetworkParams p = params();
    assertThat(ratio(Difficulty.nextBits(p, 100, T0 + 100 * BLOCK + HALF_LIFE), START_BITS))
        .isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(ratio(Difficulty.nextBits(p, 100, T0 + 100 * BLOCK - HALF_LIFE), START_BITS))
        .isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
    // Half a half-life: 2^0.5, from the cubic approximation.
    assertThat(ratio(Difficulty.nextBits(p, 100, T0 + 100 * BLOCK + HALF_LIFE / 2), START_BITS))
        .isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void clampsAtTheLimitAndAtOne() {
    NetworkParams p = params();
    assertThat(Difficulty.nextBits(p, 1, T0 + 1_000 * HALF_LIFE)).isEqualTo(0x207fffff);
    assertThat(Difficulty.nextBits(p, 1_000_000, T0))
        .isEqualTo(CompactTarget.fromTarget(BigInteger.ONE));
  }

  @Test
  void oneBlockMovesTheTargetByABoundedFactor() {
    NetworkParams p = params();
    // A block 2 hours late (the most the future-drift rule allows ahead of real time) moves the
    // target by 2^(7200/20) at most ... but a block right after one on schedule: bounded by Δt.
    int before = Difficulty.nextBits(p, 50, T0 + 50 * BLOCK);
    int after = Difficulty.nextBits(p, 51, T0 + 50 * BLOCK + 1);
    assertThat(ratio(after, before)).isBetween(0.96, 1.0);
  }

  /**
   * Deterministic simulation: exponential solve times with mean work/hashrate, miners stamp their
   * real time (kept above the median). Hash rate 1x, then 10x, then 0.1x (100x down), then 1x.
   */
  @Test
  void staysOnScheduleThroughTenfoldHashRateSwings() {
    NetworkParams p = params();
    Random random = new Random(2026);
    double[] rates = {1_000, 10_000, 100, 1_000}; // hashes per ms
    long time = T0;
    long height = 0;
    Deque<Long> recent = new ArrayDeque<>(List.of(T0));
    int bits = START_BITS;
    List<String> report = new ArrayList<>();
    for (double rate : rates) {
      double sum = 0;
      int counted = 0;
      double maxStep = 1;
      for (int i = 0; i < 1500; i++) {
        int next = Difficulty.nextBits(p, height, time);
        double step = ratio(next, bits);
        if (i >= 300) {
          maxStep = Math.max(maxStep, Math.max(step, 1 / step));
        }
        bits = next;
        double work = CompactTarget.work(bits).doubleValue();
        long solve = (long) Math.ceil(-Math.log(1 - random.nextDouble()) * work / rate);
        long mtp = TimeRules.medianTimePast(List.copyOf(recent));
        long stamp = Math.max(time + solve, mtp + 1);
        time = stamp;
        height++;
        recent.addFirst(stamp);
        if (recent.size() > TimeRules.MEDIAN_SPAN) {
          recent.removeLast();
        }
        if (i >= 300) { // settled after 15 half-lives
          sum += solve;
          counted++;
        }
      }
      double mean = sum / counted;
      report.add(rate + " h/ms: mean " + Math.round(mean) + " ms, max step " + maxStep);
      assertThat(mean).as(report.toString()).isBetween(0.9 * BLOCK, 1.1 * BLOCK);
      assertThat(maxStep).as(report.toString()).isLessThan(1.5);
      // Expected solve time at the current target is near the block time.
      double expected = CompactTarget.work(bits).doubleValue() / rate;
      assertThat(expected).as(report.toString()).isBetween(0.5 * BLOCK, 2.0 * BLOCK);
    }
    // The whole run stays close to the absolute schedule.
    long drift = Math.abs(time - (T0 + height * BLOCK));
    assertThat(drift).as(report.toString()).isLessThan(30 * HALF_LIFE);
  }
}
