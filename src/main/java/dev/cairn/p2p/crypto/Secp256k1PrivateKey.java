package dev.cairn.p2p.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * A secp256k1 private key: a 32-byte big-endian scalar in [1, n-1]. Signing hashes the message with
 * SHA-256 and signs with ECDSA using RFC 6979 deterministic nonces; the signature is normalised to
 * low S and DER-encoded, as Bitcoin (BIP 62) and go-libp2p produce it.
 */
public final class Secp256k1PrivateKey implements PrivateKey {
  public static final int SIZE = 32;

  private final BigInteger scalar;
  private final Secp256k1PublicKey publicKey;

  private Secp256k1PrivateKey(BigInteger scalar) {
    this.scalar = scalar;
    this.publicKey = Secp256k1PublicKey.of(Secp256k1PublicKey.CURVE.getG().multiply(scalar));
  }

  /** A fresh key from the system's strong random source. */
  public static Secp256k1PrivateKey generate() {
    SecureRandom random = new SecureRandom();
    byte[] bytes = new byte[SIZE];
    while (true) {
      random.nextBytes(bytes);
      BigInteger d = new BigInteger(1, bytes);
      if (isValidScalar(d)) {
        return new Secp256k1PrivateKey(d);
      }
    }
  }

  /**
   * The key for a 32-byte big-endian scalar (the libp2p private-key Data field).
   *
   * @throws IllegalArgumentException if the length is wrong or the scalar is 0 or at least n
   */
  public static Secp256k1PrivateKey of(byte[] scalar) {
    if (scalar.length != SIZE) {
      throw new IllegalArgumentException(
          "secp256k1 private key must be 32 bytes, got " + scalar.length);
    }
    BigInteger d = new BigInteger(1, scalar);
    if (!isValidScalar(d)) {
      throw new IllegalArgumentException("secp256k1 private key is out of range");
    }
    return new Secp256k1PrivateKey(d);
  }

  private static boolean isValidScalar(BigInteger d) {
    return d.signum() > 0 && d.compareTo(Secp256k1PublicKey.CURVE.getN()) < 0;
  }

  @Override
  public Secp256k1PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(scalar, Secp256k1PublicKey.CURVE));
    BigInteger[] rs = signer.generateSignature(EcdsaSignatures.sha256(data));
    BigInteger n = Secp256k1PublicKey.CURVE.getN();
    BigInteger s = rs[1].compareTo(n.shiftRight(1)) > 0 ? n.subtract(rs[1]) : rs[1];
    return EcdsaSignatures.encodeDer(rs[0], s);
  }

  @Override
  public byte[] encode() {
    return KeyCodec.encode(KeyType.SECP256K1, BigIntegers.asUnsignedByteArray(SIZE, scalar));
  }

  @Override
  public String toString() {
    return "Secp256k1PrivateKey[public=" + publicKey + "]";
  }
}
