package dev.cairn.p2p.crypto;

import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * An RSA public key as libp2p encodes it: a DER SubjectPublicKeyInfo (PKIX, {@code rsaEncryption}).
 * Signatures are RSASSA-PKCS1-v1_5 with SHA-256. As in go-libp2p, moduli below 2048 or above 8192
 * bits are rejected.
 *
 * <p>We only verify with such keys (old IPFS peers use them); we never create them.
 */
public final class RsaPublicKey extends EncodedPublicKey implements PublicKey {
  public static final int MIN_BITS = 2048;
  public static final int MAX_BITS = 8192;

  /** Longest DER we parse; an 8192-bit key is about 1.06 KB. */
  static final int MAX_DER_BYTES = 1200;

  private final RSAKeyParameters params;

  private RsaPublicKey(byte[] der, RSAKeyParameters params) {
    super(KeyType.RSA, der);
    this.params = params;
  }

  /**
   * Parses a DER SubjectPublicKeyInfo.
   *
   * @throws IllegalArgumentException if it is not canonical DER, not an RSA key, or its size or
   *     exponent is out of bounds
   */
  public static RsaPublicKey of(byte[] der) {
    if (der.length > MAX_DER_BYTES) {
      throw new IllegalArgumentException("RSA public key of " + der.length + " bytes");
    }
    SubjectPublicKeyInfo spki = Pkix.parse(der);
    AlgorithmIdentifier alg = spki.getAlgorithm();
    if (!PKCSObjectIdentifiers.rsaEncryption.equals(alg.getAlgorithm())
        || !DERNull.INSTANCE.equals(alg.getParameters())) {
      throw new IllegalArgumentException("not an rsaEncryption public key");
    }
    RSAPublicKey key;
    try {
      key = RSAPublicKey.getInstance(spki.parsePublicKey());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed RSA public key", e);
    }
    BigInteger n = key.getModulus();
    BigInteger e = key.getPublicExponent();
    if (n.bitLength() < MIN_BITS || n.bitLength() > MAX_BITS) {
      throw new IllegalArgumentException("RSA key of " + n.bitLength() + " bits");
    }
    if (e.compareTo(BigInteger.TWO) <= 0 || !e.testBit(0) || e.bitLength() > 32) {
      throw new IllegalArgumentException("bad RSA public exponent " + e);
    }
    // RSAKeyParameters rejects even moduli and moduli with small factors.
    return new RsaPublicKey(der.clone(), new RSAKeyParameters(false, n, e));
  }

  /** The modulus length in bits. */
  public int bits() {
    return params.getModulus().bitLength();
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != (bits() + 7) / 8) {
      return false;
    }
    try {
      RSADigestSigner verifier = new RSADigestSigner(new SHA256Digest());
      verifier.init(false, params);
      verifier.update(data, 0, data.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "RsaPublicKey[" + bits() + " bits]";
  }
}
