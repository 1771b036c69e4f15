package dev.cairn.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Known answers for the symmetric primitives and the XX state machine. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NoiseCryptoTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(String s) {
    return HEX.parseHex(s);
  }

  @Test
  void nonceIsFourZeroBytesThenLittleEndianCounter() {
    assertThat(HEX.formatHex(CipherState.nonceBytes(0))).isEqualTo("000000000000000000000000");
    assertThat(HEX.formatHex(CipherState.nonceBytes(1))).isEqualTo("000000000100000000000000");
    assertThat(HEX.formatHex(CipherState.nonceBytes(0x0102030405060708L)))
        .isEqualTo("000000000807060504030201");
  }

  @Test
  void protocolNameOfExactly32BytesIsTheInitialHashUnhashed() {
    assertThat(XxHandshakeState.PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII)).hasSize(32);
    SymmetricState ss = new SymmetricState(XxHandshakeState.PROTOCOL_NAME);
    assertThat(ss.handshakeHash())
        .isEqualTo(XxHandshakeState.PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The framework's HKDF is RFC 5869 with salt = ck and empty info; RFC 5869 test case 3 (salt
   * absent = HashLen zero bytes, empty info, L = 42) checks both outputs.
   */
  @Test
  void hkdfMatchesRfc5869TestCase3() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    byte[][] out = SymmetricState.hkdf(new byte[32], ikm);
    byte[] okm = new byte[64];
    System.arraycopy(out[0], 0, okm, 0, 32);
    System.arraycopy(out[1], 0, okm, 32, 32);
    assertThat(HEX.formatHex(Arrays.copyOf(okm, 42)))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                + "9d201395faa4b61a96c8");
  }

  @Test
  void cipherStateRoundTripsAndAdvancesNonceOnlyOnSuccess() throws Exception {
    byte[] key = new byte[32];
    key[0] = 7;
    CipherState enc = new CipherState(key);
    CipherState dec = new CipherState(key);
    byte[] ad = {1, 2, 3};
    byte[] c0 = enc.encrypt(ad, "hello".getBytes(StandardCharsets.US_ASCII));
    byte[] c1 = enc.encrypt(ad, "hello".getBytes(StandardCharsets.US_ASCII));
    assertThat(c0).hasSize(5 + 16).isNotEqualTo(c1);
    byte[] bad = c0.clone();
    bad[2] ^= 1;
    assertThatThrownBy(() -> dec.decrypt(ad, bad))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(ProtocolException.Reason.BAD_SIGNATURE));
    assertThat(dec.nonce()).isZero();
    assertThat(new String(dec.decrypt(ad, c0), StandardCharsets.US_ASCII)).isEqualTo("hello");
    assertThat(dec.decrypt(ad, c1)).hasSize(5);
    assertThat(dec.nonce()).isEqualTo(2);
  }

  /**
   * The cacophony vector for Noise_XX_25519_ChaChaPoly_SHA256 (as shipped in the snow test suite):
   * prologue, payloads in all three handshake messages, handshake hash, and three transport
   * messages (responder n=0, initiator n=0, responder n=1).
   */
  private static DhKeyPair dh(String privateKeyHex) {
    return DhKeyPair.fromPrivate(hex(privateKeyHex));
  }

  @Test
  void xxMatchesCacophonyVector() throws Exception {
    byte[] prologue = hex("4a6f686e2047616c74");
    DhKeyPair initStatic = dh("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1");
    DhKeyPair initEphemeral =
        dh("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
    DhKeyPair respStatic = dh("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893");
    DhKeyPair respEphemeral =
        dh("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
    String[][] messages = {
      {
        "4c756477696720766f6e204d69736573",
        "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
            + "4c756477696720766f6e204d69736573"
      },
      {
        "4d757272617920526f746862617264",
        "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2"
            + "b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b"
            + "5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"
      },
      {
        "462e20412e20486179656b",
        "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be08"
            + "65b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"
      },
      {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
      {
        "4a65616e2d426170746973746520536179",
        "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"
      },
      {
        "457567656e2042f6686d20766f6e2042617765726b",
        "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"
      }
    };
    XxHandshakeState init = new XxHandshakeState(true, prologue, initStatic, initEphemeral);
    XxHandshakeState resp = new XxHandshakeState(false, prologue, respStatic, respEphemeral);
    for (int i = 0; i < 3; i++) {
      XxHandshakeState writer = i % 2 == 0 ? init : resp;
      XxHandshakeState reader = i % 2 == 0 ? resp : init;
      byte[] payload = hex(messages[i][0]);
      byte[] wire = writer.writeMessage(payload);
      assertThat(HEX.formatHex(wire)).as("handshake message %d", i).isEqualTo(messages[i][1]);
      assertThat(reader.readMessage(wire)).isEqualTo(payload);
    }
    assertThat(HEX.formatHex(init.handshakeHash()))
        .isEqualTo("c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e");
    assertThat(resp.handshakeHash()).isEqualTo(init.handshakeHash());
    assertThat(init.remoteStatic()).isEqualTo(respStatic.publicKey());
    assertThat(resp.remoteStatic()).isEqualTo(initStatic.publicKey());

    CipherState[] initCiphers = init.split();
    CipherState[] respCiphers = resp.split();
    for (int i = 3; i < messages.length; i++) {
      boolean fromResponder = i % 2 == 1;
      CipherState sender = fromResponder ? respCiphers[0] : initCiphers[0];
      CipherState receiver = fromResponder ? initCiphers[1] : respCiphers[1];
      byte[] payload = hex(messages[i][0]);
      byte[] wire = sender.encrypt(payload);
      assertThat(HEX.formatHex(wire)).as("transport message %d", i).isEqualTo(messages[i][1]);
      assertThat(receiver.decrypt(wire)).isEqualTo(payload);
    }
  }
}
