package dev.cairn.p2p.noise;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzes Noise: the handshake payload protobuf (decrypted from message 2 or 3), the handshake frame
 * reader, and a responder fed whole by a fuzzed initiator.
 */
class NoiseFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void handshakePayloadDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, NoiseCodec::decodePayload, NoiseCodec::encodePayload);
  }

  @FuzzTest(maxDuration = "10s")
  void handshakeFramesAreReadOrRefused(byte[] input) throws Exception {
    Fuzz.bounded(
        input,
        16,
        NoiseCodec.MAX_MESSAGE,
        ProtocolException.class,
        () -> {
          ByteArrayInputStream in = new ByteArrayInputStream(input);
          for (int i = 1; i <= 3; i++) {
            NoiseCodec.readHandshakeFrame(in, i);
          }
          return null;
        });
  }

  @FuzzTest(maxDuration = "10s")
  void responderFedByAFuzzedInitiatorFailsTyped(byte[] input) throws Exception {
    ScriptedDuplex conn = new ScriptedDuplex(new ByteArrayInputStream(input));
    Fuzz.bounded(
        input,
        64,
        2L * NoiseCodec.MAX_MESSAGE,
        IOException.class,
        () -> {
          try {
            return NoiseHandshake.run(
                conn,
                NoiseHandshakeTest.BOB,
                null,
                NoiseHandshakeTest.YAMUX,
                NoiseHandshakeTest.TIMEOUT,
                false,
                NoiseHandshakeTest.R_STATIC,
                NoiseHandshakeTest.R_EPHEMERAL);
          } catch (ProtocolException e) {
            return null;
          }
        });
  }
}
