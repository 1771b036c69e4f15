package dev.cairn.chain.consensus;

import java.math.BigInteger;

/**
 * Per-block retarget: ASERT (absolutely scheduled exponentially rising targets, the aserti3-2d rule
 * of Bitcoin Cash), anchored at genesis. The target of block {@code h+1} is
 *
 * <pre>genesisTarget × 2^((t_h − t_0 − blockTime × h) / halfLife)</pre>
 *
 * computed in integers: a 16.16 fixed-point exponent (floor division) and the cubic approximation
 * of 2^x on [0, 1) from aserti3-2d. Clamped to [1, powLimit]. Being one half-life behind schedule
 * doubles the target; ahead halves it. Each block moves the target by 2^((Δt −
 * blockTime)/halfLife), so with the timestamp rules no single block can move it far.
 */
public final class Difficulty {
  private static final BigInteger C1 = BigInteger.valueOf(195_766_423_245_049L);
  private static final BigInteger C2 = BigInteger.valueOf(971_821_376L);
  private static final BigInteger C3 = BigInteger.valueOf(5_127L);
  private static final BigInteger HALF = BigInteger.ONE.shiftLeft(47);

  private Difficulty() {}

  /** The bits a block must carry whose parent has {@code parentHeight} and {@code parentTime}. */
  public static int nextBits(NetworkParams p, long parentHeight, long parentTime) {
    BigInteger anchor = CompactTarget.toTarget(p.genesisBits());
    BigInteger limit = p.powLimit();
    BigInteger behind =
        BigInteger.valueOf(parentTime)
            .subtract(BigInteger.valueOf(p.genesisTimestamp()))
            .subtract(
                BigInteger.valueOf(p.blockTimeMillis()).multiply(BigInteger.valueOf(parentHeight)));
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
