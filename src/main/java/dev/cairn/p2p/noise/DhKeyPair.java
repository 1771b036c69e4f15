package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair as raw 32-byte strings (RFC 7748: the private scalar, clamped on use, and the
 * little-endian u-coordinate). Used for Noise ephemeral and static keys, never for identity.
 */
record DhKeyPair(byte[] privateKey, byte[] publicKey) {
  static final int LEN = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  static DhKeyPair generate() {
    byte[] priv = new byte[LEN];
    X25519.generatePrivateKey(RANDOM, priv);
    return fromPrivate(priv);
  }

  static DhKeyPair fromPrivate(byte[] priv) {
    if (priv.length != LEN) {
      throw new IllegalArgumentException("X25519 private key must be 32 bytes");
    }
    byte[] pub = new byte[LEN];
    X25519.generatePublicKey(priv, 0, pub, 0);
    return new DhKeyPair(priv.clone(), pub);
  }

  /**
   * DH(this, remote). A remote key of low order yields the all-zero secret, which we refuse: it
   * would make the handshake's secrecy depend on nothing.
   */
  byte[] agree(byte[] remotePublic) throws ProtocolException {
    byte[] out = new byte[LEN];
    if (!X25519.calculateAgreement(privateKey, 0, remotePublic, 0, out, 0)) {
      throw ProtocolException.connection(
          Reason.MALFORMED, "noise: remote X25519 key has low order");
    }
    return out;
  }

  @Override
  public String toString() {
    return "DhKeyPair[public]"; // never print key material
  }
}
