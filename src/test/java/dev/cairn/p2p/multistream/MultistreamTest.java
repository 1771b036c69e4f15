package dev.cairn.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.testing.Fragments;
import dev.cairn.testing.MemoryDuplex;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class MultistreamTest {

  @Test
  void refusesAMessageThatIsNotUtf8() {
    // A fuzz finding: "\xb5…3\n" was read as U+FFFD characters and re-encoded to other bytes.
    byte[] bad = HexFormat.of().parseHex("0a0ab5b5b5b5b5b5b5330a");
    assertThatThrownBy(
            () -> MultistreamCodec.read(new java.io.ByteArrayInputStream(bad), Scope.STREAM))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void encodesTheSpecExamples() {
    HexFormat hex = HexFormat.of();
    assertThat(hex.formatHex(MultistreamCodec.encode("na"))).isEqualTo("036e610a");
    assertThat(hex.formatHex(MultistreamCodec.encode("/noise"))).isEqualTo("072f6e6f6973650a");
    assertThat(hex.formatHex(MultistreamCodec.encode(Multistream.PROTOCOL_ID)))
        .isEqualTo("132f6d756c746973747265616d2f312e302e300a");
  }

  @Test
  void negotiatesTheFirstSupportedProtocolAndKeepsFollowingBytes() throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<String> listener =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String p = Multistream.listen(pair[1], Set.of("/b", "/c"), Scope.STREAM);
                  byte[] next = pair[1].in().readNBytes(5);
                  return p + ":" + new String(next);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              },
              exec);
      String chosen = Multistream.select(pair[0], List.of("/a", "/b", "/c"), Scope.STREAM);
      pair[0].out().write("hello".getBytes());
      pair[0].out().flush();
      assertThat(chosen).isEqualTo("/b");
      assertThat(listener.get(5, TimeUnit.SECONDS)).isEqualTo("/b:hello");
    }
  }

  @Test
  void failsWhenNothingIsSupported() throws Exception {
    MemoryDuplex[] pair = MemoryDuplex.pair();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      exec.submit(
          () -> {
            Multistream.listen(pair[1], Set.of("/x"), Scope.STREAM);
            return null;
          });
      assertThatThrownBy(() -> Multistream.select(pair[0], List.of("/a", "/b"), Scope.STREAM))
          .isInstanceOf(ProtocolException.class)
          .satisfies(
              e ->
                  assertThat(((ProtocolException) e).reason())
                      .isEqualTo(Reason.UNSUPPORTED_PROTOCOL));
      pair[0].close();
    }
  }

  @Test
  void listenerParsesEveryFragmentationOfAPipelinedProposal() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(MultistreamCodec.encode(Multistream.PROTOCOL_ID));
    wire.writeBytes(MultistreamCodec.encode("/nope"));
    wire.writeBytes(MultistreamCodec.encode("/yamux/1.0.0"));
    wire.writeBytes("DATA".getBytes());
    for (List<byte[]> pieces : Fragments.splits(wire.toByteArray())) {
      ScriptedDuplex d = new ScriptedDuplex(Fragments.stream(pieces));
      assertThat(Multistream.listen(d, Set.of("/yamux/1.0.0"), Scope.CONNECTION))
          .isEqualTo("/yamux/1.0.0");
      assertThat(new String(d.in().readAllBytes())).isEqualTo("DATA");
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.writeBytes(MultistreamCodec.encode(Multistream.PROTOCOL_ID));
      expected.writeBytes(MultistreamCodec.encode("na"));
      expected.writeBytes(MultistreamCodec.encode("/yamux/1.0.0"));
      assertThat(d.written()).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void rejectsGarbageInsteadOfTheHeader() {
    ScriptedDuplex d =
        new ScriptedDuplex(
            new java.io.ByteArrayInputStream(
                ("GET / HTTP/1.1\r\nHost: example\r\n" + "x".repeat(200)).getBytes()));
    assertThatThrownBy(() -> Multistream.listen(d, Set.of("/noise"), Scope.CONNECTION))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void rejectsOversizedAndUnterminatedMessages() {
    byte[] huge = {(byte) 0xff, (byte) 0xff, 0x03};
    assertThatThrownBy(
            () ->
                Multistream.listen(
                    new ScriptedDuplex(new java.io.ByteArrayInputStream(huge)),
                    Set.of("/a"),
                    Scope.STREAM))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("TOO_LARGE");
    byte[] noNewline = {0x03, 'a', 'b', 'c'};
    assertThatThrownBy(
            () ->
                Multistream.listen(
                    new ScriptedDuplex(new java.io.ByteArrayInputStream(noNewline)),
                    Set.of("/a"),
                    Scope.STREAM))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("MALFORMED");
  }

  @Test
  void listenerGivesUpAfterTooManyProposals() {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(MultistreamCodec.encode(Multistream.PROTOCOL_ID));
    for (int i = 0; i < 100; i++) {
      wire.writeBytes(MultistreamCodec.encode("/p" + i));
    }
    ScriptedDuplex d = new ScriptedDuplex(new java.io.ByteArrayInputStream(wire.toByteArray()));
    assertThatThrownBy(() -> Multistream.listen(d, Set.of("/a"), Scope.STREAM))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("LIMIT_EXCEEDED");
  }
}
