package dev.cairn.p2p.identify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes identify: one message, and a stream of length-prefixed messages merged as we read them.
 */
class IdentifyCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void identifyMessageDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, IdentifyCodec::decode, IdentifyCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void identifyStreamIsReadOrRefused(byte[] input) throws Exception {
    Fuzz.readOrRefused(input, 256, IdentifyCodec.MAX_MESSAGE, IdentifyService::readMessages);
  }
}
