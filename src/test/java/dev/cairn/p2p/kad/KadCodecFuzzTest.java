package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.EOFException;

/** Fuzzes the Kademlia message decoder, framed (as read from a stream) and bare. */
class KadCodecFuzzTest {
  private static final int MAX_PEERS = 20;

  @FuzzTest(maxDuration = "10s")
  void kadMessageDecodesAndRoundTrips(byte[] input) throws Exception {
    KadMessage m =
        Fuzz.bounded(
            input, 128, 0, ProtocolException.class, () -> KadCodec.decode(input, MAX_PEERS));
    if (m != null) {
      byte[] once = KadCodec.encode(m);
      assertThat(KadCodec.encode(KadCodec.decode(once, MAX_PEERS))).isEqualTo(once);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void framedKadMessageIsReadOrRefused(byte[] input) throws Exception {
    Fuzz.bounded(
        input,
        128,
        KadCodec.MAX_MESSAGE_BYTES,
        Exception.class,
        () -> {
          try {
            return KadCodec.read(new ByteArrayInputStream(input), MAX_PEERS);
          } catch (ProtocolException | EOFException e) {
            return null;
          }
        });
  }
}
