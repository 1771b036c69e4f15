package dev.cairn.p2p.crypto;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * An ECDSA public key on NIST P-256, as libp2p encodes it: a DER SubjectPublicKeyInfo (PKIX) with
 * the named curve {@code prime256v1}. Other curves are rejected: no implementation generates them
 * by default. Signatures are ECDSA over SHA-256 of the message, strict DER; high S is accepted.
 *
 * <p>We only verify with such keys (peers may use them); we never create them.
 */
public final class EcdsaPublicKey extends EncodedPublicKey implements PublicKey {
  /** Longest DER we parse; a P-256 SubjectPublicKeyInfo is 91 bytes. */
  static final int MAX_DER_BYTES = 256;

  private static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;
  static final ECDomainParameters CURVE = EcdsaSignatures.domain(CustomNamedCurves.getByOID(P256));

  private final ECPublicKeyParameters params;

  private EcdsaPublicKey(byte[] der, ECPoint point) {
    super(KeyType.ECDSA, der);
    this.params = new ECPublicKeyParameters(point, CURVE);
  }

  /**
   * Parses a DER SubjectPublicKeyInfo.
   *
   * @throws IllegalArgumentException if it is not canonical DER, not an EC key on P-256, or the
   *     point is not on the curve
   */
  public static EcdsaPublicKey of(byte[] der) {
    if (der.length > MAX_DER_BYTES) {
      throw new IllegalArgumentException("ECDSA public key of " + der.length + " bytes");
    }
    SubjectPublicKeyInfo spki = Pkix.parse(der);
    AlgorithmIdentifier alg = spki.getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
      throw new IllegalArgumentException("not an EC public key: " + alg.getAlgorithm());
    }
    if (!P256.equals(alg.getParameters())) {
      throw new IllegalArgumentException("only the named curve P-256 is supported");
    }
    ECPoint point;
    try {
      point = CURVE.getCurve().decodePoint(spki.getPublicKeyData().getOctets());
    } catch (IllegalStateException e) { // getOctets() on a bit string with pad bits
      throw new IllegalArgumentException("EC point is not a whole number of bytes", e);
    }
    if (point.isInfinity() || !point.isValid()) {
      throw new IllegalArgumentException("not a P-256 point");
    }
    return new EcdsaPublicKey(der.clone(), point);
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return EcdsaSignatures.verify(CURVE, params, data, signature);
  }
}
