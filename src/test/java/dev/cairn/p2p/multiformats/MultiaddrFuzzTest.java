package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.Fuzz;
import java.nio.charset.StandardCharsets;

/** Fuzzes the multiaddr and peer id decoders: binary forms from peers, text forms from config. */
class MultiaddrFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void multiaddrBytesReencodeToThemselves(byte[] input) throws Exception {
    Multiaddr a =
        Fuzz.canonical(input, 16, ProtocolException.class, Multiaddr::decode, Multiaddr::encode);
    if (a != null) {
      assertThat(Multiaddr.parse(a.toString())).isEqualTo(a);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void multiaddrTextParsesOrIsRefused(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    Multiaddr a =
        Fuzz.bounded(input, 64, 0, IllegalArgumentException.class, () -> Multiaddr.parse(text));
    if (a != null) {
      Multiaddr again = Multiaddr.decode(a.encode());
      assertThat(again).isEqualTo(a);
      assertThat(Multiaddr.parse(again.toString())).isEqualTo(a);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void peerIdBytesReencodeToThemselves(byte[] input) throws Exception {
    PeerId id = Fuzz.canonical(input, 16, ProtocolException.class, PeerId::decode, PeerId::bytes);
    if (id != null) {
      assertThat(PeerId.parse(id.toString())).isEqualTo(id);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void peerIdTextParsesOrIsRefused(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    PeerId id =
        Fuzz.bounded(input, 64, 0, IllegalArgumentException.class, () -> PeerId.parse(text));
    if (id != null) {
      assertThat(PeerId.decode(id.bytes())).isEqualTo(id);
    }
  }
}
