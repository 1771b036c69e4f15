package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Fuzzes the multiaddr and peer id decoders: binary forms from peers, text forms from config. */
class MultiaddrFuzzTest {

  /**
   * {@code input} as binary form from a peer: refused with a {@link ProtocolException} or decoded
   * to a value that encodes back to exactly {@code input} and whose text parses back to it.
   */
  private static <T> void bytesAreCanonicalAndPrintable(
      byte[] input, Fuzz.Decoder<T> decoder, Fuzz.Encoder<T> encoder, Function<String, T> parser)
      throws Exception {
    T value = Fuzz.canonical(input, 16, ProtocolException.class, decoder, encoder);
    if (value != null) {
      assertThat(parser.apply(value.toString())).isEqualTo(value);
    }
  }

  /**
   * {@code input} as UTF-8 text from a config: refused with an {@link IllegalArgumentException} or
   * parsed to a value whose binary form decodes back to it; returns that value, or null.
   */
  private static <T> T textParsesToBytesThatDecodeBack(
      byte[] input, Function<String, T> parser, Fuzz.Encoder<T> encoder, Fuzz.Decoder<T> decoder)
      throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    T value = Fuzz.bounded(input, 64, 0, IllegalArgumentException.class, () -> parser.apply(text));
    if (value != null) {
      assertThat(decoder.decode(encoder.encode(value))).isEqualTo(value);
    }
    return value;
  }

  @FuzzTest(maxDuration = "10s")
  void multiaddrBytesReencodeToThemselves(byte[] input) throws Exception {
    bytesAreCanonicalAndPrintable(input, Multiaddr::decode, Multiaddr::encode, Multiaddr::parse);
  }

  @FuzzTest(maxDuration = "10s")
  void multiaddrTextParsesOrIsRefused(byte[] input) throws Exception {
    Multiaddr a =
        textParsesToBytesThatDecodeBack(
            input, Multiaddr::parse, Multiaddr::encode, Multiaddr::decode);
    if (a != null) {
      assertThat(Multiaddr.parse(a.toString())).isEqualTo(a);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void peerIdBytesReencodeToThemselves(byte[] input) throws Exception {
    bytesAreCanonicalAndPrintable(input, PeerId::decode, PeerId::bytes, PeerId::parse);
  }

  @FuzzTest(maxDuration = "10s")
  void peerIdTextParsesOrIsRefused(byte[] input) throws Exception {
    textParsesToBytesThatDecodeBack(input, PeerId::parse, PeerId::bytes, PeerId::decode);
  }
}
