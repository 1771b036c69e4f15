package dev.cairn.p2p.crypto;

import static dev.cairn.p2p.crypto.SpecVectors.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyCodecTest {

  @ParameterizedTest
  @CsvSource({
    "ED25519_PUBLIC, ED25519",
    "SECP256K1_PUBLIC, SECP256K1",
    "ECDSA_PUBLIC, ECDSA",
    "RSA_PUBLIC, RSA"
  })
  void decodesSpecPublicKeysAndReencodesThemByteExactly(String vector, KeyType type)
      throws Exception {
    byte[] protobuf = vector(vector);
    PublicKey key = PublicKey.decode(protobuf);
    assertThat(key.type()).isEqualTo(type);
    assertThat(key.encode()).isEqualTo(protobuf);
    assertThat(PublicKey.decode(key.encode())).isEqualTo(key);
  }

  @ParameterizedTest
  @CsvSource({
    "ED25519_PRIVATE, ED25519_PUBLIC",
    "SECP256K1_PRIVATE, SECP256K1_PUBLIC",
  })
  void decodesSpecPrivateKeysReencodesThemAndDerivesTheirPublicKey(String priv, String pub)
      throws Exception {
    byte[] protobuf = vector(priv);
    PrivateKey key = PrivateKey.decode(protobuf);
    assertThat(key.encode()).isEqualTo(protobuf);
    assertThat(key.publicKey().encode()).isEqualTo(vector(pub));
  }

  @ParameterizedTest
  @CsvSource({"ECDSA_PRIVATE, ECDSA", "RSA_PRIVATE, RSA"})
  void readsEcdsaAndRsaPrivateKeyFieldsButDoesNotLoadThem(String priv, KeyType type)
      throws Exception {
    byte[] protobuf = vector(priv);
    KeyCodec.Fields f = KeyCodec.decodeFields(protobuf, KeyCodec.MAX_PRIVATE_KEY_BYTES);
    assertThat(f.type()).isEqualTo(type);
    assertThat(KeyCodec.encode(f.type(), f.data())).isEqualTo(protobuf);
    assertThatThrownBy(() -> PrivateKey.decode(protobuf))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE));
  }

  @Test
  void encodesRsaTypeZeroExplicitly() throws Exception {
    assertThat(PublicKey.decode(vector("RSA_PUBLIC")).encode()).startsWith(0x08, 0x00, 0x12);
  }

  @Test
  void rejectsUnknownKeyType() {
    byte[] pb = vector("ED25519_PUBLIC");
    pb[1] = 4;
    assertReason(pb, Reason.UNKNOWN_TYPE);
  }

  @Test
  void rejectsMissingFields() {
    byte[] pb = vector("ED25519_PUBLIC");
    assertReason(Arrays.copyOfRange(pb, 2, pb.length), Reason.MALFORMED); // no type
    assertReason(new byte[] {0x08, 0x01}, Reason.MALFORMED); // no data
    assertReason(new byte[0], Reason.MALFORMED);
  }

  @Test
  void rejectsExtraAndRepeatedFields() {
    byte[] pb = vector("ED25519_PUBLIC");
    byte[] extra = Arrays.copyOf(pb, pb.length + 2);
    extra[pb.length] = 0x18; // field 3, varint
    extra[pb.length + 1] = 0x01;
    assertReason(extra, Reason.MALFORMED);
    byte[] twice = Arrays.copyOf(pb, pb.length + 2);
    twice[pb.length] = 0x08;
    twice[pb.length + 1] = 0x01;
    assertReason(twice, Reason.MALFORMED);
  }

  @Test
  void acceptsDataBeforeTypeAndReencodesCanonically() throws Exception {
    // Data before Type is not canonical, but it is unambiguous; re-encoding fixes the order.
    byte[] pb = vector("ED25519_PUBLIC");
    byte[] swapped = new byte[pb.length];
    System.arraycopy(pb, 2, swapped, 0, pb.length - 2);
    swapped[pb.length - 2] = 0x08;
    swapped[pb.length - 1] = 0x01;
    assertThat(PublicKey.decode(swapped).encode()).isEqualTo(pb);
  }

  @Test
  void rejectsOversizedProtobufAndOversizedLength() {
    assertReason(new byte[KeyCodec.MAX_KEY_BYTES + 1], Reason.TOO_LARGE);
    assertReason(new byte[] {0x08, 0x01, 0x12, (byte) 0xff, (byte) 0xff, 0x03}, Reason.TOO_LARGE);
  }

  @Test
  void rejectsTruncatedInputAtEveryLength() {
    byte[] pb = vector("SECP256K1_PUBLIC");
    for (int len = 1; len < pb.length; len++) {
      byte[] cut = Arrays.copyOf(pb, len);
      assertThatThrownBy(() -> PublicKey.decode(cut)).isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void rejectsNonMinimalVarints() {
    assertReason(
        new byte[] {(byte) 0x88, 0x00, 0x01, 0x12, 0x00}, Reason.BAD_VARINT); // tag 08 as 88 00
  }

  @Test
  void rejectsMalformedKeyData() {
    assertReason(KeyCodec.encode(KeyType.ED25519, new byte[31]), Reason.MALFORMED);
    assertReason(KeyCodec.encode(KeyType.SECP256K1, new byte[33]), Reason.MALFORMED);
    assertReason(KeyCodec.encode(KeyType.ECDSA, new byte[] {0x30, 0x00}), Reason.MALFORMED);
    assertReason(KeyCodec.encode(KeyType.RSA, new byte[] {0x30, 0x03, 0x02}), Reason.MALFORMED);
  }

  @Test
  void mutatedKeysFailOnlyWithProtocolException() {
    java.util.Random random = new java.util.Random(1);
    for (String name :
        new String[] {"ED25519_PUBLIC", "SECP256K1_PUBLIC", "ECDSA_PUBLIC", "RSA_PUBLIC"}) {
      byte[] original = vector(name);
      for (int i = 0; i < 300; i++) {
        byte[] mutated = original.clone();
        for (int k = 0; k < 1 + random.nextInt(3); k++) {
          mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
        }
        try {
          PublicKey key = PublicKey.decode(mutated);
          assertThat(key.encode()).isEqualTo(mutated);
          assertThat(key.verify(original, mutated)).isFalse();
        } catch (ProtocolException expected) {
          // any reason is fine; an unchecked exception is not
        }
      }
    }
  }

  private static void assertReason(byte[] protobuf, Reason reason) {
    assertThatThrownBy(() -> PublicKey.decode(protobuf))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  static byte[] vector(String name) {
    try {
      return bytes((String) SpecVectors.class.getField(name).get(null));
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(name, e);
    }
  }
}
