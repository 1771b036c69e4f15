package dev.cairn.p2p.gossip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/**
 * Fuzzes the gossipsub RPC decoder with the limits a node runs with, control messages included
 * (IHAVE, IWANT, GRAFT, PRUNE with peer exchange). Protobuf is not canonical on the wire (field
 * order, unknown fields), so the invariant is that what decodes survives an encode/decode round.
 */
class GossipCodecFuzzTest {
  private static final GossipCodec.Limits LIMITS = GossipCodec.Limits.of(GossipConfig.cairn());

  @FuzzTest(maxDuration = "10s")
  void rpcDecodesWithinLimitsAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, bytes -> GossipCodec.decode(bytes, LIMITS), GossipCodec::encode);
  }
}
