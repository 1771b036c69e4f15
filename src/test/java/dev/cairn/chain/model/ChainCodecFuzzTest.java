package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes the consensus encodings of transactions, headers and blocks (from gossip, sync and the
 * API). They are canonical: whatever decodes must encode back to exactly the input.
 */
class ChainCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void transactionIsCanonical(byte[] input) throws Exception {
    Transaction tx =
        Fuzz.bounded(
            input, 16, 0, DecodeException.class, () -> ChainCodec.decodeTransaction(input));
    if (tx != null) {
      assertThat(ChainCodec.encode(tx)).isEqualTo(input);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void headerIsCanonical(byte[] input) throws Exception {
    BlockHeader h =
        Fuzz.bounded(input, 16, 0, DecodeException.class, () -> ChainCodec.decodeHeader(input));
    if (h != null) {
      assertThat(ChainCodec.encode(h)).isEqualTo(input);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void blockIsCanonical(byte[] input) throws Exception {
    Block b =
        Fuzz.bounded(input, 32, 0, DecodeException.class, () -> ChainCodec.decodeBlock(input));
    if (b != null) {
      assertThat(ChainCodec.encode(b)).isEqualTo(input);
    }
  }
}
