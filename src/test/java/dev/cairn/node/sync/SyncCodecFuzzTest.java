package dev.cairn.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes every sync request (block_txs, compact relay's fetch, included) and the status answer
 * (protobuf: what decodes survives a round trip). The headers and blocks answers are chunks of
 * {@code ChainCodec} headers and blocks, fuzzed by {@code ChainCodecFuzzTest}; their framing by
 * {@code ReqRespCodecFuzzTest}.
 */
class SyncCodecFuzzTest {

  /** Decodes {@code input} within the allocation bound; what decodes comes back equal. */
  private static <T> void roundTrips(byte[] input, Fuzz.Decoder<T> decoder, Fuzz.Encoder<T> encoder)
      throws Exception {
    T m = Fuzz.bounded(input, 64, 0, InvalidMessageException.class, () -> decoder.decode(input));
    if (m != null) {
      assertThat(decoder.decode(encoder.encode(m))).isEqualTo(m);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void statusRoundTrips(byte[] input) throws Exception {
    roundTrips(input, SyncCodec::decodeStatus, SyncCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void headersByLocatorRoundTrips(byte[] input) throws Exception {
    roundTrips(input, SyncCodec::decodeHeadersByLocator, SyncCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void blocksByHashRoundTrips(byte[] input) throws Exception {
    roundTrips(input, SyncCodec::decodeBlocksByHash, SyncCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void blocksByRangeRoundTrips(byte[] input) throws Exception {
    roundTrips(input, SyncCodec::decodeBlocksByRange, SyncCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void blockTxsRoundTrips(byte[] input) throws Exception {
    roundTrips(input, SyncCodec::decodeBlockTxs, SyncCodec::encode);
  }
}
