package dev.cairn.chain.model;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519 signature verification for the chain (RFC 8032, via BouncyCastle's low-level code). */
public final class Keys {
  /** Public key length. */
  public static final int PUBLIC_KEY_SIZE = Ed25519.PUBLIC_KEY_SIZE;

  /** Private key (seed) length. */
  public static final int SEED_SIZE = Ed25519.SECRET_KEY_SIZE;

  /** Signature length. */
  public static final int SIGNATURE_SIZE = Ed25519.SIGNATURE_SIZE;

  /** Decoded keys kept by {@link #verify}: 4,096 keys, 1 MiB. */
  static final int KEY_CACHE_ENTRIES = 4096;

  /** Byte bound of the decoded-key cache. */
  static final long KEY_CACHE_BYTES = 1L << 20;

  static {
    Ed25519.precompute();
  }

  /** The shared cache (package-private for tests). */
  static final PublicKeyCache KEY_CACHE = new PublicKeyCache(KEY_CACHE_ENTRIES, KEY_CACHE_BYTES);

  private Keys() {}

  /**
   * True if {@code signature} is a valid Ed25519 signature of {@code message} by {@code publicKey};
   * false for a malformed key or signature (BouncyCastle rejects non-canonical S and bad points).
   * Keys that signed validly before are kept decoded in a bounded cache ({@link PublicKeyCache}),
   * which changes the cost, never the verdict.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != PUBLIC_KEY_SIZE || signature.length != SIGNATURE_SIZE) {
      return false;
    }
    return KEY_CACHE.verify(publicKey, message, signature);
  }
}
