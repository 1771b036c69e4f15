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

  static {
    Ed25519.precompute();
  }

  private Keys() {}

  /**
   * True if {@code signature} is a valid Ed25519 signature of {@code message} by {@code publicKey};
   * false for a malformed key or signature (BouncyCastle rejects non-canonical S and bad points).
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != PUBLIC_KEY_SIZE || signature.length != SIGNATURE_SIZE) {
      return false;
    }
    return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
  }
}
