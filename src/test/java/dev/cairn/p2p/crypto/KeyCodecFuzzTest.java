package dev.cairn.p2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;

/** Fuzzes the libp2p key protobufs (public keys arrive in every handshake and peer record). */
class KeyCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void publicKeyProtobufDecodesOrIsRefused(byte[] input) throws Exception {
    PublicKey key =
        Fuzz.bounded(input, 64, 0, ProtocolException.class, () -> KeyCodec.decodePublic(input));
    if (key != null) {
      assertThat(PublicKey.decode(key.encode())).isEqualTo(key);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void privateKeyProtobufDecodesOrIsRefused(byte[] input) throws Exception {
    Fuzz.bounded(input, 64, 0, ProtocolException.class, () -> KeyCodec.decodePrivate(input));
  }
}
