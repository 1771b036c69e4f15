package dev.cairn.p2p.crypto;

import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A secp256k1 public key: the 33-byte compressed SEC1 point ("Bitcoin" encoding), as libp2p sends
 * it.
 *
 * <p>Only the compressed form is accepted. go-libp2p and js-libp2p also parse the 65-byte
 * uncompressed form and silently re-encode it compressed, which would make {@link #encode()} differ
 * from the bytes received (and with them the peer id the sender thinks it has). Every
 * implementation emits the compressed form, so we reject the others instead.
 *
 * <p>Signatures are ECDSA over SHA-256 of the message, DER-encoded. {@link #verify} requires strict
 * DER but accepts high-S signatures, as go-libp2p does: malleability does not matter where libp2p
 * uses signatures, and refusing them could only break interop. We produce low-S.
 */
public final class Secp256k1PublicKey extends EncodedPublicKey implements PublicKey {
  public static final int SIZE = 33;

  static final ECDomainParameters CURVE =
      EcdsaSignatures.domain(CustomNamedCurves.getByName("secp256k1"));

  private final ECPublicKeyParameters params;

  private Secp256k1PublicKey(byte[] raw, ECPoint point) {
    super(KeyType.SECP256K1, raw);
    this.params = new ECPublicKeyParameters(point, CURVE);
  }

  /**
   * Wraps a 33-byte compressed point.
   *
   * @throws IllegalArgumentException if the length or prefix is wrong or the point is not on the
   *     curve
   */
  public static Secp256k1PublicKey of(byte[] raw) {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException(
          "secp256k1 public key must be 33 bytes (compressed), got " + raw.length);
    }
    if (raw[0] != 0x02 && raw[0] != 0x03) {
      throw new IllegalArgumentException("secp256k1 public key must start with 02 or 03");
    }
    ECPoint point = CURVE.getCurve().decodePoint(raw); // throws IllegalArgumentException
    if (point.isInfinity() || !point.isValid()) {
      throw new IllegalArgumentException("not a secp256k1 point");
    }
    return new Secp256k1PublicKey(raw.clone(), point);
  }

  static Secp256k1PublicKey of(ECPoint point) {
    ECPoint normal = point.normalize();
    return new Secp256k1PublicKey(normal.getEncoded(true), normal);
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return EcdsaSignatures.verify(CURVE, params, data, signature);
  }
}
