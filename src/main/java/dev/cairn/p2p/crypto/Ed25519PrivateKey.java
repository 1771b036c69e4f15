package dev.cairn.p2p.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** An Ed25519 private key: a 32-byte seed and its public key. */
public final class Ed25519PrivateKey implements PrivateKey {
  private final byte[] seed;
  private final byte[] publicRaw;
  private final Ed25519PublicKey publicKey;

  private Ed25519PrivateKey(byte[] seed) {
    this.seed = seed;
    this.publicRaw = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicRaw, 0);
    this.publicKey = Ed25519PublicKey.of(publicRaw);
  }

  /** A fresh key from the system's strong random source. */
  public static Ed25519PrivateKey generate() {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    new SecureRandom().nextBytes(seed);
    return new Ed25519PrivateKey(seed);
  }

  /** The key for a 32-byte seed (deterministic; tests and key files use it). */
  public static Ed25519PrivateKey fromSeed(byte[] seed) {
    if (seed.length != Ed25519.SECRET_KEY_SIZE) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
    }
    return new Ed25519PrivateKey(seed.clone());
  }

  /**
   * The key from libp2p's private-key Data field: 64 bytes (seed ‖ public), or the legacy 96-byte
   * form (seed ‖ public ‖ public). The embedded public key must match the seed.
   */
  static Ed25519PrivateKey fromLibp2pData(byte[] data) {
    if (data.length != 64 && data.length != 96) {
      throw new IllegalArgumentException("Ed25519 private key data must be 64 or 96 bytes");
    }
    Ed25519PrivateKey key = new Ed25519PrivateKey(Arrays.copyOfRange(data, 0, 32));
    byte[] embedded = Arrays.copyOfRange(data, 32, 64);
    if (!Arrays.equals(embedded, key.publicRaw)
        || (data.length == 96 && !Arrays.equals(Arrays.copyOfRange(data, 64, 96), embedded))) {
      throw new IllegalArgumentException("Ed25519 private key data has a mismatched public key");
    }
    return key;
  }

  @Override
  public Ed25519PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicRaw, 0, data, 0, data.length, sig, 0);
    return sig;
  }

  @Override
  public byte[] encode() {
    byte[] data = new byte[64];
    System.arraycopy(seed, 0, data, 0, 32);
    System.arraycopy(publicRaw, 0, data, 32, 32);
    return KeyCodec.encode(KeyType.ED25519, data);
  }

  /** The 32-byte seed. Handle with care: this is the secret. */
  public byte[] seed() {
    return seed.clone();
  }

  @Override
  public String toString() {
    return "Ed25519PrivateKey[public=" + publicKey + "]";
  }
}
