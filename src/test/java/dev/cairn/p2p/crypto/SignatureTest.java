package dev.cairn.p2p.crypto;

import static dev.cairn.p2p.crypto.KeyCodecTest.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignatureTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] MESSAGE = "cairn".getBytes(StandardCharsets.UTF_8);

  @Test
  void ed25519MatchesRfc8032TestVector1() {
    Ed25519PrivateKey key =
        Ed25519PrivateKey.fromSeed(
            HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    assertThat(key.publicKey().raw())
        .isEqualTo(
            HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    byte[] expected =
        HEX.parseHex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertThat(key.sign(new byte[0])).isEqualTo(expected);
    assertThat(key.publicKey().verify(new byte[0], expected)).isTrue();
  }

  @Test
  void ed25519SignsAndVerifiesAndRejectsTampering() {
    PrivateKey key = Ed25519PrivateKey.generate();
    assertRoundTripAndTampering(key);
  }

  @Test
  void secp256k1SignsAndVerifiesAndRejectsTampering() throws Exception {
    assertRoundTripAndTampering(Secp256k1PrivateKey.generate());
    assertRoundTripAndTampering(PrivateKey.decode(vector("SECP256K1_PRIVATE")));
  }

  @Test
  void secp256k1SignsDeterministicallyPerRfc6979() {
    // The widely used Bitcoin fixture: private key 1, SHA-256("Satoshi Nakamoto").
    byte[] one = new byte[32];
    one[31] = 1;
    Secp256k1PrivateKey key = Secp256k1PrivateKey.of(one);
    byte[] sig = key.sign("Satoshi Nakamoto".getBytes(StandardCharsets.US_ASCII));
    assertThat(HEX.formatHex(sig))
        .isEqualTo(
            "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
                + "02202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
  }

  @Test
  void secp256k1ProducesLowSAndAcceptsHighS() {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate();
    BigInteger n = Secp256k1PublicKey.CURVE.getN();
    for (int i = 0; i < 16; i++) {
      byte[] msg = ("m" + i).getBytes(StandardCharsets.UTF_8);
      BigInteger[] rs = EcdsaSignatures.decodeDer(key.sign(msg), n);
      assertThat(rs).isNotNull();
      assertThat(rs[1]).isLessThanOrEqualTo(n.shiftRight(1));
      byte[] highS = EcdsaSignatures.encodeDer(rs[0], n.subtract(rs[1]));
      assertThat(key.publicKey().verify(msg, highS)).isTrue();
    }
  }

  @Test
  void secp256k1RejectsNonCanonicalDer() {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate();
    byte[] sig = key.sign(MESSAGE);
    byte[] trailing = Arrays.copyOf(sig, sig.length + 1);
    assertThat(key.publicKey().verify(MESSAGE, trailing)).isFalse();
    // The same sequence with a long-form length (BER, not DER).
    byte[] longForm = new byte[sig.length + 1];
    longForm[0] = 0x30;
    longForm[1] = (byte) 0x81;
    System.arraycopy(sig, 1, longForm, 2, sig.length - 1);
    assertThat(key.publicKey().verify(MESSAGE, longForm)).isFalse();
  }

  @Test
  void secp256k1RejectsOutOfRangeScalars() {
    assertThatThrownBy(() -> Secp256k1PrivateKey.of(new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] n =
        org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, Secp256k1PublicKey.CURVE.getN());
    assertThatThrownBy(() -> Secp256k1PrivateKey.of(n))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Secp256k1PrivateKey.of(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secp256k1RejectsUncompressedAndOffCurvePoints() {
    Secp256k1PublicKey key = Secp256k1PrivateKey.generate().publicKey();
    byte[] uncompressed =
        Secp256k1PublicKey.CURVE.getCurve().decodePoint(key.raw()).getEncoded(false);
    assertThatThrownBy(() -> Secp256k1PublicKey.of(uncompressed))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] offCurve = key.raw();
    offCurve[0] = 0x02;
    Arrays.fill(offCurve, 1, 33, (byte) 0xff); // x >= p
    assertThatThrownBy(() -> Secp256k1PublicKey.of(offCurve))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ecdsaSpecKeyVerifiesASignatureByItsSpecPrivateKey() throws Exception {
    // The spec's private key is an RFC 5915 ECPrivateKey; we only verify, so sign here with BC.
    byte[] der = KeyCodec.decodeFields(vector("ECDSA_PRIVATE")).data();
    BigInteger d = ECPrivateKey.getInstance(ASN1Sequence.getInstance(der)).getKey();
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(d, EcdsaPublicKey.CURVE));
    BigInteger[] rs = signer.generateSignature(EcdsaSignatures.sha256(MESSAGE));
    byte[] sig = EcdsaSignatures.encodeDer(rs[0], rs[1]);

    PublicKey pub = PublicKey.decode(vector("ECDSA_PUBLIC"));
    assertThat(pub).isInstanceOf(EcdsaPublicKey.class);
    assertVerifiesOnlyTheOriginal(pub, sig);
  }

  @Test
  void rsaSpecKeyVerifiesASignatureByItsSpecPrivateKey() throws Exception {
    byte[] der =
        KeyCodec.decodeFields(vector("RSA_PRIVATE"), KeyCodec.MAX_PRIVATE_KEY_BYTES).data();
    RSAPrivateKey k = RSAPrivateKey.getInstance(der);
    RSADigestSigner signer = new RSADigestSigner(new SHA256Digest());
    signer.init(
        true,
        new RSAPrivateCrtKeyParameters(
            k.getModulus(),
            k.getPublicExponent(),
            k.getPrivateExponent(),
            k.getPrime1(),
            k.getPrime2(),
            k.getExponent1(),
            k.getExponent2(),
            k.getCoefficient()));
    signer.update(MESSAGE, 0, MESSAGE.length);
    byte[] sig = signer.generateSignature();

    RsaPublicKey pub = (RsaPublicKey) PublicKey.decode(vector("RSA_PUBLIC"));
    assertThat(pub.bits()).isEqualTo(4096);
    assertVerifiesOnlyTheOriginal(pub, sig);
  }

  @Test
  void verifyNeverThrowsOnGarbage() throws Exception {
    PublicKey[] keys = {
      PublicKey.decode(vector("ED25519_PUBLIC")),
      PublicKey.decode(vector("SECP256K1_PUBLIC")),
      PublicKey.decode(vector("ECDSA_PUBLIC")),
      PublicKey.decode(vector("RSA_PUBLIC"))
    };
    byte[][] garbage = {
      new byte[0],
      new byte[1],
      {0x30},
      {0x30, 0x00},
      {0x30, (byte) 0x80, 0, 0},
      new byte[64],
      new byte[512],
      new byte[100_000]
    };
    for (PublicKey key : keys) {
      for (byte[] sig : garbage) {
        assertThat(key.verify(MESSAGE, sig)).isFalse();
      }
    }
  }

  private static void assertRoundTripAndTampering(PrivateKey key) {
    byte[] sig = key.sign(MESSAGE);
    assertThat(key.publicKey().verify(MESSAGE, sig)).isTrue();
    assertVerifiesOnlyTheOriginal(key.publicKey(), sig);
  }

  private static void assertVerifiesOnlyTheOriginal(PublicKey key, byte[] sig) {
    assertThat(key.verify(MESSAGE, sig)).isTrue();
    byte[] otherMessage = MESSAGE.clone();
    otherMessage[0] ^= 1;
    assertThat(key.verify(otherMessage, sig)).isFalse();
    byte[] otherSig = sig.clone();
    otherSig[otherSig.length - 1] ^= 1;
    assertThat(key.verify(MESSAGE, otherSig)).isFalse();
  }
}
