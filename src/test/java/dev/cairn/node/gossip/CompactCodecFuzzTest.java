package dev.cairn.node.gossip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes the compact block decoder, the first thing a gossiped block announcement meets: only
 * {@link DecodeException} escapes, allocation stays within the input, and since only the canonical
 * encoding is accepted (one compact block, one message id), what decodes encodes back to exactly
 * the input.
 */
class CompactCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void compactBlockIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(input, 16, DecodeException.class, CompactCodec::decode, CompactCodec::encode);
  }
}
