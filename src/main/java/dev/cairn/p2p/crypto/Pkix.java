package dev.cairn.p2p.crypto;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Strict parsing of the DER SubjectPublicKeyInfo that ECDSA and RSA keys travel in. */
final class Pkix {
  private Pkix() {}

  /**
   * Parses a SubjectPublicKeyInfo and insists that the input is its canonical DER encoding, so that
   * the bytes we hash into a peer id are the only encoding of the key we accept.
   *
   * @throws IllegalArgumentException on anything else
   */
  static SubjectPublicKeyInfo parse(byte[] der) {
    SubjectPublicKeyInfo spki;
    byte[] canonical;
    try {
      spki = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
      canonical = spki.getEncoded(ASN1Encoding.DER);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a DER SubjectPublicKeyInfo", e);
    }
    if (!Arrays.equals(canonical, der)) {
      throw new IllegalArgumentException("public key is not canonical DER");
    }
    return spki;
  }
}
