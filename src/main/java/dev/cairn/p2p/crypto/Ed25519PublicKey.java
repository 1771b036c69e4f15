package dev.cairn.p2p.crypto;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** An Ed25519 public key: 32 raw bytes (RFC 8032). */
public final class Ed25519PublicKey extends EncodedPublicKey implements PublicKey {
  public static final int SIZE = 32;

  private Ed25519PublicKey(byte[] raw) {
    super(KeyType.ED25519, raw);
  }

  /**
   * Wraps 32 raw bytes.
   *
   * @throws IllegalArgumentException if the length is wrong or the bytes are not a curve point
   */
  public static Ed25519PublicKey of(byte[] raw) {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, got " + raw.length);
    }
    if (!Ed25519.validatePublicKeyPartial(raw, 0)) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return new Ed25519PublicKey(raw.clone());
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    return Ed25519.verify(signature, 0, content(), 0, data, 0, data.length);
  }
}
