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
    return params(T0);
  }

  static NetworkParams params(long genesisTime) {
    return new NetworkParams(
        "sim",
        9,
        genesisTime,
        START_BITS,
        0x207fffff,
        BLOCK,
        HALF_LIFE,
        5_000,
        1,
        0,
        0,
        List.of(),
        BigInteger.ZERO);
  }

  static double ratio(int a, int b) {
    return new BigDecimal(CompactTarget.toTarget(a))
        .divide(new BigDecimal(CompactTarget.toTarget(b)), MathContext.DECIMAL64)
        .doubleValue();
  }

  /** Block 1's time in the unit tests: an hour after genesis (any time works). */
  static final long A = T0 + 3_600_000;

  @Test
  void blockOneCarriesTheGenesisBitsWhenever() {
    NetworkParams p = params();
    assertThat(Difficulty.nextBits(p, 0, T0, 0)).isEqualTo(START_BITS);
    assertThat(Difficulty.nextBits(p, 0, T0, T0 + 30L * 86_400_000)).isEqualTo(START_BITS);
  }

  @Test
  void onScheduleFromBlockOneKeepsTheTarget() {
    NetworkParams p = params();
    for (long h = 1; h < 1000; h += 37) {
      assertThat(Difficulty.nextBits(p, h, A + (h - 1) * BLOCK, A)).isEqualTo(START_BITS);
    }
  }

  @Test
  void genesisTimeIsNotAnInput() {
    NetworkParams p = params();
    NetworkParams later = params(A);
    for (long h = 1; h < 100; h += 7) {
      long t = A + h * 1_300;
      assertThat(Difficulty.nextBits(later, h, t, A)).isEqualTo(Difficulty.nextBits(p, h, t, A));
    }
  }

  @Test
  void oneHalfLifeBehindDoublesAndAheadHalves() {
    NetworkParams p = params();
    long onTime = A + 99 * BLOCK;
    assertThat(ratio(Difficulty.nextBits(p, 100, onTime + HALF_LIFE, A), START_BITS))
        .isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(ratio(Difficulty.nextBits(p, 100, onTime - HALF_LIFE, A), START_BITS))
        .isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
    // Half a half-life: 2^0.5, from the cubic approximation.
    assertThat(ratio(Difficulty.nextBits(p, 100, onTime + HALF_LIFE / 2, A), START_BITS))
        .isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void clampsAtTheLimitAndAtOne() {
    NetworkParams p = params();
    assertThat(Difficulty.nextBits(p, 2, A + 1_000 * HALF_LIFE, A)).isEqualTo(0x207fffff);
    assertThat(Difficulty.nextBits(p, 1_000_000, A, A))
        .isEqualTo(CompactTarget.fromTarget(BigInteger.ONE));
  }

  @Test
  void oneBlockMovesTheTargetByABoundedFactor() {
    NetworkParams p = params();
    // A block right after one on schedule: the move is bounded by Δt − blockTime.
    int before = Difficulty.nextBits(p, 50, A + 49 * BLOCK, A);
    int after = Difficulty.nextBits(p, 51, A + 49 * BLOCK + 1, A);
    assertThat(ratio(after, before)).isBetween(0.96, 1.0);
  }

  /** One simulated block: its height, solve time (ms), bits and timestamp. */
  record Mined(long height, long solve, int bits, long stamp) {}

  /**
   * Deterministic mining: exponential solve times with mean work/hashrate; miners start at {@code
   * start} and stamp their real time (kept above the median). {@code rates[i]} hashes per ms for
   * {@code perRate} blocks each. The anchor is block 1's stamp, as a node tracks it.
   */
  static List<Mined> simulate(NetworkParams p, long start, double[] rates, int perRate, long seed) {
    Random random = new Random(seed);
    long time = start;
    long parentTime = p.genesisTimestamp();
    long anchor = 0;
    long height = 0;
    Deque<Long> recent = new ArrayDeque<>(List.of(p.genesisTimestamp()));
    List<Mined> out = new ArrayList<>();
    for (double rate : rates) {
      for (int i = 0; i < perRate; i++) {
        int bits = Difficulty.nextBits(p, height, parentTime, anchor);
        double work = CompactTarget.work(bits).doubleValue();
        long solve = (long) Math.ceil(-Math.log(1 - random.nextDouble()) * work / rate);
        long mtp = TimeRules.medianTimePast(List.copyOf(recent));
        long stamp = Math.max(time + solve, mtp + 1);
        time = stamp;
        height++;
        if (height == 1) {
          anchor = stamp;
        }
        parentTime = stamp;
        recent.addFirst(stamp);
        if (recent.size() > TimeRules.MEDIAN_SPAN) {
          recent.removeLast();
        }
        out.add(new Mined(height, solve, bits, stamp));
      }
    }
    return out;
  }

  /** Hash rate 1x, then 10x, then 0.1x (100x down), then 1x; 1,500 blocks each. */
  @Test
  void staysOnScheduleThroughTenfoldHashRateSwings() {
    NetworkParams p = params();
    double[] rates = {1_000, 10_000, 100, 1_000}; // hashes per ms
    int per = 1500;
    List<Mined> run = simulate(p, T0, rates, per, 2026);
    List<String> report = new ArrayList<>();
    for (int r = 0; r < rates.length; r++) {
      double sum = 0;
      int counted = 0;
      double maxStep = 1;
      for (int i = r * per + 300; i < (r + 1) * per; i++) { // settled after 15 half-lives
        double step = ratio(run.get(i).bits(), run.get(i - 1).bits());
        maxStep = Math.max(maxStep, Math.max(step, 1 / step));
        sum += run.get(i).solve();
        counted++;
      }
      double mean = sum / counted;
      report.add(rates[r] + " h/ms: mean " + Math.round(mean) + " ms, max step " + maxStep);
      assertThat(mean).as(report.toString()).isBetween(0.9 * BLOCK, 1.1 * BLOCK);
      assertThat(maxStep).as(report.toString()).isLessThan(1.5);
      // Expected solve time at the current target is near the block time.
      double expected =
          CompactTarget.work(run.get((r + 1) * per - 1).bits()).doubleValue() / rates[r];
      assertThat(expected).as(report.toString()).isBetween(0.5 * BLOCK, 2.0 * BLOCK);
    }
    // The whole run stays close to the absolute schedule, counted from block 1.
    Mined first = run.get(0);
    Mined last = run.get(run.size() - 1);
    long drift = Math.abs(last.stamp() - (first.stamp() + (last.height() - 1) * BLOCK));
    assertThat(drift).as(report.toString()).isLessThan(30 * HALF_LIFE);
  }

  /**
   * A network started 30 days after its genesis timestamp: anchored at genesis it would be 30 days
   * behind schedule, sit at the pow limit and mine ~2.6 million blocks in a burst. Anchored at
   * block 1 it mines at the genesis difficulty from the start.
   */
  @Test
  void lateStartMinesAtGenesisDifficultyWithoutACatchUpBurst() {
    NetworkParams p = params();
    long start = T0 + 30L * 86_400_000;
    List<Mined> run = simulate(p, start, new double[] {1_000}, 200, 7); // 10^6 hashes per block
    double mean = run.stream().mapToLong(Mined::solve).average().orElseThrow();
    assertThat(mean).isBetween(0.8 * BLOCK, 1.2 * BLOCK);
    double wall = (run.get(run.size() - 1).stamp() - start) / (double) run.size();
    assertThat(wall).isBetween(0.8 * BLOCK, 1.2 * BLOCK);
    for (Mined m : run) {
      assertThat(m.bits()).as("block " + m.height()).isNotEqualTo(p.powLimitBits());
      assertThat(ratio(m.bits(), START_BITS)).as("block " + m.height()).isBetween(0.25, 4.0);
    }
  }
}
