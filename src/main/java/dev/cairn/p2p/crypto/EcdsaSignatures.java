package dev.cairn.p2p.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * What secp256k1 and ECDSA keys share: SHA-256 of the message, ECDSA, and the signature as a DER
 * {@code SEQUENCE { INTEGER r, INTEGER s }}.
 */
final class EcdsaSignatures {
  /** Longest DER signature we parse: P-521 needs 139 bytes, so this is generous. */
  static final int MAX_SIGNATURE_BYTES = 160;

  private EcdsaSignatures() {}

  /** The domain parameters of a named curve. */
  static ECDomainParameters domain(X9ECParameters p) {
    return new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH());
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  static byte[] encodeDer(BigInteger r, BigInteger s) {
    try {
      return new DERSequence(new ASN1Encodable[] {new ASN1Integer(r), new ASN1Integer(s)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding of two integers failed", e);
    }
  }

  /**
   * Parses a strict DER signature: exactly the canonical encoding of two integers in [1, n-1].
   *
   * @return {r, s}, or null when the bytes are anything else
   */
  static BigInteger[] decodeDer(byte[] signature, BigInteger order) {
    if (signature.length > MAX_SIGNATURE_BYTES) {
      return null;
    }
    try {
      if (!(ASN1Primitive.fromByteArray(signature) instanceof ASN1Sequence seq)
          || seq.size() != 2
          || !(seq.getObjectAt(0) instanceof ASN1Integer r)
          || !(seq.getObjectAt(1) instanceof ASN1Integer s)) {
        return null;
      }
      BigInteger[] rs = {r.getValue(), s.getValue()};
      for (BigInteger v : rs) {
        if (v.signum() <= 0 || v.compareTo(order) >= 0) {
          return null;
        }
      }
      // BER forms (long lengths, indefinite length, trailing bytes) re-encode differently.
      return Arrays.equals(encodeDer(rs[0], rs[1]), signature) ? rs : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Verifies a DER signature over SHA-256(data). High-S signatures are accepted. */
  static boolean verify(
      ECDomainParameters domain, ECPublicKeyParameters key, byte[] data, byte[] signature) {
    BigInteger[] rs = decodeDer(signature, domain.getN());
    if (rs == null) {
      return false;
    }
    try {
      ECDSASigner verifier = new ECDSASigner();
      verifier.init(false, key);
      return verifier.verifySignature(sha256(data), rs[0], rs[1]);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
