package dev.cairn.chain.consensus;

import java.math.BigInteger;

/**
 * Per-block retarget: ASERT (absolutely scheduled exponentially rising targets, the aserti3-2d rule
 * of Bitcoin Cash), anchored at block 1 of the branch. Block 1 carries the genesis bits; for {@code
 * h ≥ 1} the target of block {@code h+1} is
 *
 * <pre>genesisTarget × 2^((t_h − t_1 − blockTime × (h − 1)) / halfLife)</pre>
 *
 * where {@code t_1} is the timestamp of the height-1 ancestor on the same branch. The anchor is
 * block 1 and not genesis because a network file's genesis timestamp is fixed in the past: anchored
 * at genesis, a network started days later would be days behind schedule, sit at the pow limit and
 * mine a burst of blocks until its height caught up with the clock (as Bitcoin Cash anchors at a
 * block, not at its genesis). Block 1 can be mined whenever the network starts, so the schedule
 * starts with it.
 *
 * <p>Computed in integers: a 16.16 fixed-point exponent (floor division) and the cubic
 * approximation of 2^x on [0, 1) from aserti3-2d. Clamped to [1, powLimit]. Being one half-life
 * behind schedule doubles the target; ahead halves it. Each block moves the target by 2^((Δt −
 * blockTime)/halfLife), so with the timestamp rules no single block can move it far.
 */
public final class Difficulty {
  private static final BigInteger C1 = BigInteger.valueOf(195_766_423_245_049L);
  private static final BigInteger C2 = BigInteger.valueOf(971_821_376L);
  private static final BigInteger C3 = BigInteger.valueOf(5_127L);
  private static final BigInteger HALF = BigInteger.ONE.shiftLeft(47);

  private Difficulty() {}

  /**
   * The bits a block must carry whose parent has {@code parentHeight} and {@code parentTime}, on a
   * branch whose height-1 block has {@code anchorTime} (ignored when the parent is genesis: block 1
   * carries the genesis bits).
   */
  public static int nextBits(NetworkParams p, long parentHeight, long parentTime, long anchorTime) {
    if (parentHeight == 0) {
      return p.genesisBits();
    }
    BigInteger anchor = CompactTarget.toTarget(p.genesisBits());
    BigInteger limit = p.powLimit();
    BigInteger behind =
        BigInteger.valueOf(parentTime)
            .subtract(BigInteger.valueOf(anchorTime))
            .subtract(
                BigInteger.valueOf(p.blockTimeMillis())
                    .multiply(BigInteger.valueOf(parentHeight - 1)));
    // floor((behind * 65536) / halfLife)
    BigInteger[] qr =
        behind.shiftLeft(16).divideAndRemainder(BigInteger.valueOf(p.halfLifeMillis()));
    BigInteger exponent = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    BigInteger shiftsBig = exponent.shiftRight(16);
    if (shiftsBig.compareTo(BigInteger.valueOf(300)) > 0) {
      return p.powLimitBits();
    }
    if (shiftsBig.compareTo(BigInteger.valueOf(-300)) < 0) {
      return CompactTarget.fromTarget(BigInteger.ONE);
    }
    int shifts = shiftsBig.intValueExact();
    BigInteger frac = exponent.and(BigInteger.valueOf(0xffff));
    BigInteger poly =
        C1.multiply(frac)
            .add(C2.multiply(frac).multiply(frac))
            .add(C3.multiply(frac).multiply(frac).multiply(frac))
            .add(HALF)
            .shiftRight(48);
    BigInteger factor = BigInteger.valueOf(65536).add(poly);
    BigInteger next = anchor.multiply(factor);
    next = shifts < 0 ? next.shiftRight(-shifts) : next.shiftLeft(shifts);
    next = next.shiftRight(16);
    if (next.signum() == 0) {
      next = BigInteger.ONE;
    }
    if (next.compareTo(limit) > 0) {
      next = limit;
    }
    return CompactTarget.fromTarget(next);
  }
}
