package dev.cairn.p2p.identify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.EOFException;

/**
 * Fuzzes identify: one message, and a stream of length-prefixed messages merged as we read them.
 */
class IdentifyCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void identifyMessageDecodesAndRoundTrips(byte[] input) throws Exception {
    IdentifyMessage m =
        Fuzz.bounded(input, 128, 0, ProtocolException.class, () -> IdentifyCodec.decode(input));
    if (m != null) {
      byte[] once = IdentifyCodec.encode(m);
      assertThat(IdentifyCodec.encode(IdentifyCodec.decode(once))).isEqualTo(once);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void identifyStreamIsReadOrRefused(byte[] input) throws Exception {
    Fuzz.bounded(
        input,
        256,
        IdentifyCodec.MAX_MESSAGE,
        Exception.class,
        () -> {
          try {
            return IdentifyService.readMessages(new ByteArrayInputStream(input));
          } catch (ProtocolException | EOFException e) {
            return null;
          }
        });
  }
}
