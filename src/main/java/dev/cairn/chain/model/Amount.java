package dev.cairn.chain.model;

import java.math.BigDecimal;

/**
 * Amounts are {@code long} counts of the smallest unit; one coin is 10^8 units. Arithmetic is
 * overflow-checked: {@link ArithmeticException} on overflow, never a silent wrap.
 */
public final class Amount {
  /** Units per coin. */
  public static final long COIN = 100_000_000L;

  private Amount() {}

  /** {@code a + b}, or {@link ArithmeticException} on overflow. */
  public static long add(long a, long b) {
    return Math.addExact(a, b);
  }

  /** {@code a - b}, or {@link ArithmeticException} on overflow. */
  public static long subtract(long a, long b) {
    return Math.subtractExact(a, b);
  }

  /** Coins with 8 decimals, e.g. {@code 12.50000000}. */
  public static String format(long units) {
    return BigDecimal.valueOf(units, 8).toPlainString();
  }

  /** Parses coins with up to 8 decimals ("1.5" is 150,000,000 units); rejects more precision. */
  public static long parse(String coins) {
    try {
      return new BigDecimal(coins.strip()).movePointRight(8).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("not an amount with at most 8 decimals: " + coins, e);
    }
  }
}
