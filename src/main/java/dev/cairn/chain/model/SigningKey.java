package dev.cairn.chain.model;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key (its 32-byte seed) with its public key and address. {@link #toString()}
 * never shows the seed.
 */
public record SigningKey(byte[] seed, byte[] publicKey) {
  /** Checks lengths and copies. Use {@link #fromSeed} to derive the public key. */
  public SigningKey {
    if (seed.length != Keys.SEED_SIZE || publicKey.length != Keys.PUBLIC_KEY_SIZE) {
      throw new IllegalArgumentException("Ed25519 keys have 32 bytes");
    }
    seed = seed.clone();
    publicKey = publicKey.clone();
  }

  /** The key for a 32-byte seed. */
  public static SigningKey fromSeed(byte[] seed) {
    byte[] pk = new byte[Keys.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    return new SigningKey(seed, pk);
  }

  /** A fresh random key. */
  public static SigningKey generate(SecureRandom random) {
    byte[] seed = new byte[Keys.SEED_SIZE];
    random.nextBytes(seed);
    return fromSeed(seed);
  }

  @Override
  public byte[] seed() {
    return seed.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The account of this key. */
  public Address address() {
    return Address.fromPublicKey(publicKey);
  }

  /** An Ed25519 signature (64 bytes) of {@code message}. */
  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Keys.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey k && java.util.Arrays.equals(publicKey, k.publicKey);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "SigningKey[" + address() + "]";
  }
}
