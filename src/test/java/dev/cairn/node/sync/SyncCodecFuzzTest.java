package dev.cairn.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.node.sync.SyncMessage.BlocksByHash;
import dev.cairn.node.sync.SyncMessage.BlocksByRange;
import dev.cairn.node.sync.SyncMessage.HeadersByLocator;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes every sync request and the status answer (protobuf: what decodes survives a round trip).
 * The headers and blocks answers are chunks of {@code ChainCodec} headers and blocks, fuzzed by
 * {@code ChainCodecFuzzTest}; their framing by {@code ReqRespCodecFuzzTest}.
 */
class SyncCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void statusRoundTrips(byte[] input) throws Exception {
    Status s =
        Fuzz.bounded(
            input, 64, 0, InvalidMessageException.class, () -> SyncCodec.decodeStatus(input));
    if (s != null) {
      assertThat(SyncCodec.decodeStatus(SyncCodec.encode(s))).isEqualTo(s);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void headersByLocatorRoundTrips(byte[] input) throws Exception {
    HeadersByLocator r =
        Fuzz.bounded(
            input,
            64,
            0,
            InvalidMessageException.class,
            () -> SyncCodec.decodeHeadersByLocator(input));
    if (r != null) {
      assertThat(SyncCodec.decodeHeadersByLocator(SyncCodec.encode(r))).isEqualTo(r);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void blocksByHashRoundTrips(byte[] input) throws Exception {
    BlocksByHash r =
        Fuzz.bounded(
            input, 64, 0, InvalidMessageException.class, () -> SyncCodec.decodeBlocksByHash(input));
    if (r != null) {
      assertThat(SyncCodec.decodeBlocksByHash(SyncCodec.encode(r))).isEqualTo(r);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void blocksByRangeRoundTrips(byte[] input) throws Exception {
    BlocksByRange r =
        Fuzz.bounded(
            input,
            64,
            0,
            InvalidMessageException.class,
            () -> SyncCodec.decodeBlocksByRange(input));
    if (r != null) {
      assertThat(SyncCodec.decodeBlocksByRange(SyncCodec.encode(r))).isEqualTo(r);
    }
  }
}
