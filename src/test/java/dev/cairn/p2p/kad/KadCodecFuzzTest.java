package dev.cairn.p2p.kad;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;

/** Fuzzes the Kademlia message decoder, framed (as read from a stream) and bare. */
class KadCodecFuzzTest {
  private static final int MAX_PEERS = 20;

  @FuzzTest(maxDuration = "10s")
  void kadMessageDecodesAndRoundTrips(byte[] input) throws Exception {
    Fuzz.roundTrips(input, bytes -> KadCodec.decode(bytes, MAX_PEERS), KadCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void framedKadMessageIsReadOrRefused(byte[] input) throws Exception {
    Fuzz.readOrRefused(input, 128, KadCodec.MAX_MESSAGE_BYTES, in -> KadCodec.read(in, MAX_PEERS));
  }
}
