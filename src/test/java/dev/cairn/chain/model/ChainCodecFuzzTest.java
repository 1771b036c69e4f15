package dev.cairn.chain.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes the consensus encodings of transactions, headers and blocks (from gossip, sync and the
 * API). They are canonical: whatever decodes must encode back to exactly the input.
 */
class ChainCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void transactionIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(
        input, 16, DecodeException.class, ChainCodec::decodeTransaction, ChainCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void headerIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(input, 16, DecodeException.class, ChainCodec::decodeHeader, ChainCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void blockIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(input, 32, DecodeException.class, ChainCodec::decodeBlock, ChainCodec::encode);
  }
}
