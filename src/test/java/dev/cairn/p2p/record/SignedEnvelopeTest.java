package dev.cairn.p2p.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.crypto.Secp256k1PrivateKey;
import dev.cairn.p2p.crypto.SpecVectors;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignedEnvelopeTest {
  private static final String DOMAIN = "cairn-test";
  private static final byte[] TYPE = {0x03, 0x01};
  private static final byte[] PAYLOAD = "hello".getBytes(StandardCharsets.UTF_8);

  @Test
  void roundTripsAndVerifies() throws Exception {
    for (PrivateKey key : new PrivateKey[] {specKey(), Secp256k1PrivateKey.generate()}) {
      SignedEnvelope env = SignedEnvelope.sign(key, DOMAIN, TYPE, PAYLOAD);
      SignedEnvelope back = SignedEnvelope.decode(env.encode(), DOMAIN);
      assertThat(back).isEqualTo(env);
      assertThat(back.publicKey()).isEqualTo(key.publicKey());
      assertThat(back.payloadType()).isEqualTo(TYPE);
      assertThat(back.payload()).isEqualTo(PAYLOAD);
      assertThat(back.encode()).isEqualTo(env.encode());
    }
  }

  @Test
  void signsTheLengthPrefixedDomainTypeAndPayload() throws Exception {
    PrivateKey key = specKey();
    byte[] expected =
        HexFormat.of()
            .parseHex(
                "0a"
                    + hex(DOMAIN.getBytes(StandardCharsets.UTF_8))
                    + "020301"
                    + "05"
                    + hex(PAYLOAD));
    assertThat(SignedEnvelope.signedBytes(DOMAIN, TYPE, PAYLOAD)).isEqualTo(expected);
    SignedEnvelope env = SignedEnvelope.sign(key, DOMAIN, TYPE, PAYLOAD);
    assertThat(env.signature()).isEqualTo(key.sign(expected)); // Ed25519 is deterministic
    assertThat(key.publicKey().verify(expected, env.signature())).isTrue();
  }

  @Test
  void encodesTheSpecFieldNumbers() {
    PrivateKey key = specKey();
    SignedEnvelope env = SignedEnvelope.sign(key, DOMAIN, TYPE, PAYLOAD);
    String expected =
        "0a24"
            + SpecVectors.ED25519_PUBLIC
            + "12020301"
            + "1a05"
            + hex(PAYLOAD)
            + "2a40"
            + hex(env.signature());
    assertThat(hex(env.encode())).isEqualTo(expected);
  }

  @Test
  void rejectsATamperedSignatureOrPayload() {
    byte[] bytes = SignedEnvelope.sign(specKey(), DOMAIN, TYPE, PAYLOAD).encode();
    byte[] badSig = bytes.clone();
    badSig[badSig.length - 1] ^= 1;
    assertReason(badSig, DOMAIN, Reason.BAD_SIGNATURE);
    byte[] badPayload = bytes.clone();
    int at = indexOf(bytes, PAYLOAD);
    badPayload[at] ^= 1;
    assertReason(badPayload, DOMAIN, Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsAnotherDomain() {
    byte[] bytes = SignedEnvelope.sign(specKey(), DOMAIN, TYPE, PAYLOAD).encode();
    assertReason(bytes, "libp2p-peer-record", Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsAMissingKeyOrSignature() {
    byte[] noKey = new Proto.Writer().bytes(2, TYPE).bytes(3, PAYLOAD).toByteArray();
    assertReason(noKey, DOMAIN, Reason.MALFORMED);
    byte[] noSig =
        new Proto.Writer()
            .bytes(1, specKey().publicKey().encode())
            .bytes(2, TYPE)
            .bytes(3, PAYLOAD)
            .toByteArray();
    assertReason(noSig, DOMAIN, Reason.BAD_SIGNATURE);
  }

  @Test
  void skipsUnknownFields() throws Exception {
    SignedEnvelope env = SignedEnvelope.sign(specKey(), DOMAIN, TYPE, PAYLOAD);
    byte[] extra =
        HexFormat.of().parseHex("2001" + "3203abcdef" + "3d01020304" + "390102030405060708");
    byte[] bytes = concat(env.encode(), extra);
    assertThat(SignedEnvelope.decode(bytes, DOMAIN)).isEqualTo(env);
  }

  @Test
  void rejectsHostileInput() {
    byte[] good = SignedEnvelope.sign(specKey(), DOMAIN, TYPE, PAYLOAD).encode();
    assertReason(new byte[SignedEnvelope.MAX_ENVELOPE_BYTES + 1], DOMAIN, Reason.TOO_LARGE);
    assertReason(HexFormat.of().parseHex("1affffff7f"), DOMAIN, Reason.TOO_LARGE);
    assertReason(HexFormat.of().parseHex("0a020801"), DOMAIN, Reason.MALFORMED); // key without data
    assertReason(HexFormat.of().parseHex("0801"), DOMAIN, Reason.MALFORMED); // key as varint
    assertReason(HexFormat.of().parseHex("0b"), DOMAIN, Reason.MALFORMED); // group
    assertReason(HexFormat.of().parseHex("00"), DOMAIN, Reason.MALFORMED); // field 0
    assertReason(
        HexFormat.of().parseHex("20ffffffffffffffffff7f"), DOMAIN, Reason.BAD_VARINT); // 11 bytes
    for (int len = 1; len < good.length; len++) {
      byte[] cut = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> SignedEnvelope.decode(cut, DOMAIN))
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void refusesToSignOversizedPayloads() {
    assertThatThrownBy(
            () ->
                SignedEnvelope.sign(
                    specKey(), DOMAIN, TYPE, new byte[SignedEnvelope.MAX_PAYLOAD_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SignedEnvelope.sign(specKey(), "", TYPE, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Ed25519PrivateKey specKey() {
    try {
      return (Ed25519PrivateKey) PrivateKey.decode(SpecVectors.bytes(SpecVectors.ED25519_PRIVATE));
    } catch (ProtocolException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertReason(byte[] bytes, String domain, Reason reason) {
    assertThatThrownBy(() -> SignedEnvelope.decode(bytes, domain))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
