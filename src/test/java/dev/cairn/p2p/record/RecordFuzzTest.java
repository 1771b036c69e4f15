package dev.cairn.p2p.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;

/** Fuzzes signed envelopes and the peer records inside them (identify, gossip peer exchange). */
class RecordFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void envelopeDecodesAndRoundTrips(byte[] input) throws Exception {
    SignedEnvelope e =
        Fuzz.bounded(
            input,
            128,
            0,
            ProtocolException.class,
            () -> SignedEnvelope.decode(input, PeerRecord.DOMAIN));
    if (e != null) {
      byte[] once = e.encode();
      assertThat(SignedEnvelope.decode(once, PeerRecord.DOMAIN).encode()).isEqualTo(once);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void peerRecordPayloadDecodesAndRoundTrips(byte[] input) throws Exception {
    PeerRecord r =
        Fuzz.bounded(input, 128, 0, ProtocolException.class, () -> PeerRecord.decodePayload(input));
    if (r != null) {
      byte[] once = r.encode();
      assertThat(PeerRecord.decodePayload(once).encode()).isEqualTo(once);
    }
  }
}
