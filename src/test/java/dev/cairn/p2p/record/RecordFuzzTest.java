package dev.cairn.p2p.record;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/** Fuzzes signed envelopes and the peer records inside them (identify, gossip peer exchange). */
class RecordFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void envelopeDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(
        input, bytes -> SignedEnvelope.decode(bytes, PeerRecord.DOMAIN), SignedEnvelope::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void peerRecordPayloadDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, PeerRecord::decodePayload, PeerRecord::encode);
  }
}
