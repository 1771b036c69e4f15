package dev.cairn.chain.consensus;

import java.math.BigInteger;

/**
 * Bitcoin's compact target ("bits"): one exponent byte (the length of the target in bytes) and a
 * 23-bit mantissa, {@code target = mantissa × 256^(exponent − 3)}; bit 0x00800000 is a sign and
 * must be clear. Only canonical encodings (what {@link #fromTarget} produces) are valid in headers.
 */
public final class CompactTarget {
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  private CompactTarget() {}

  /**
   * The target of {@code bits}; {@link IllegalArgumentException} if negative or wider than 256
   * bits.
   */
  public static BigInteger toTarget(int bits) {
    int size = bits >>> 24;
    int word = bits & 0x007fffff;
    if (word != 0 && (bits & 0x00800000) != 0) {
      throw new IllegalArgumentException("negative compact target " + hex(bits));
    }
    BigInteger value;
    if (size <= 3) {
      value = BigInteger.valueOf(word >>> (8 * (3 - size)));
    } else {
      value = BigInteger.valueOf(word).shiftLeft(8 * (size - 3));
    }
    if (value.bitLength() > 256) {
      throw new IllegalArgumentException("compact target wider than 256 bits " + hex(bits));
    }
    return value;
  }

  /** The canonical compact form of {@code target} (rounded down to 3 significant bytes). */
  public static int fromTarget(BigInteger target) {
    if (target.signum() < 0 || target.bitLength() > 256) {
      throw new IllegalArgumentException("target out of range");
    }
    int size = (target.bitLength() + 7) / 8;
    int compact;
    if (size <= 3) {
      compact = target.intValue() << (8 * (3 - size));
    } else {
      compact = target.shiftRight(8 * (size - 3)).intValue();
    }
    if ((compact & 0x00800000) != 0) {
      compact >>>= 8;
      size++;
    }
    return compact | (size << 24);
  }

  /** True if {@code bits} decodes to a positive target and is the canonical encoding of it. */
  public static boolean isCanonical(int bits) {
    try {
      BigInteger t = toTarget(bits);
      return t.signum() > 0 && fromTarget(t) == bits;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Expected hashes to find a block: {@code 2^256 / (target + 1)}. */
  public static BigInteger work(int bits) {
    return TWO_256.divide(toTarget(bits).add(BigInteger.ONE));
  }

  /** The target as 32 big-endian bytes, for comparing with a hash. */
  public static byte[] targetBytes(int bits) {
    byte[] raw = toTarget(bits).toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  /** {@code bits} as {@code 0x} and 8 hex digits. */
  public static String hex(int bits) {
    return String.format("0x%08x", bits);
  }
}
