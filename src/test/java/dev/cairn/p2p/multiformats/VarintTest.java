package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.testing.Fragments;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VarintTest {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @CsvSource({
    "0, 00",
    "1, 01",
    "127, 7f",
    "128, 8001",
    "255, ff01",
    "300, ac02",
    "16384, 808001",
    "9223372036854775807, ffffffffffffffff7f"
  })
  void encodesAndDecodesSpecExamples(long value, String hex) throws Exception {
    assertThat(HEX.formatHex(Varint.encode(value))).isEqualTo(hex);
    assertThat(Varint.size(value)).isEqualTo(hex.length() / 2);
    ByteBuffer buf = ByteBuffer.wrap(HEX.parseHex(hex));
    assertThat(Varint.read(buf, Scope.STREAM)).isEqualTo(value);
    assertThat(buf.hasRemaining()).isFalse();
    assertThat(Varint.read(new ByteArrayInputStream(HEX.parseHex(hex)), Scope.STREAM))
        .isEqualTo(value);
  }

  @Test
  void readsFromEveryFragmentationOfAStream() throws Exception {
    byte[] input = HEX.parseHex("ac02" + "808001" + "7f");
    for (List<byte[]> pieces : Fragments.splits(input)) {
      InputStream in = Fragments.stream(pieces);
      assertThat(Varint.read(in, Scope.STREAM)).isEqualTo(300);
      assertThat(Varint.read(in, Scope.STREAM)).isEqualTo(16384);
      assertThat(Varint.read(in, Scope.STREAM)).isEqualTo(127);
      assertThat(Varint.read(in, Scope.STREAM)).isEqualTo(-1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"8000", "8100", "ff00", "808000", "ff8000"})
  void rejectsNonMinimalEncodings(String hex) {
    assertBad(hex, Reason.BAD_VARINT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ffffffffffffffffff01", // 10 bytes, 2^64 - 1 territory
        "80808080808080808001", // 10 bytes, 2^63
        "ffffffffffffffff8000" // overflow with a (non-minimal) tenth byte
      })
  void rejectsTenByteEncodingsAndOverflow(String hex) {
    assertBad(hex, Reason.BAD_VARINT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"80", "ff", "ac", "8080", "ffffffffffffffff"})
  void rejectsTruncatedInput(String hex) throws Exception {
    assertBad(hex, Reason.TRUNCATED);
    assertThatThrownBy(
            () -> Varint.read(new ByteArrayInputStream(HEX.parseHex(hex)), Scope.CONNECTION))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void reportsCleanEndOfStream() throws Exception {
    assertThat(Varint.read(new ByteArrayInputStream(new byte[0]), Scope.STREAM)).isEqualTo(-1);
  }

  @Test
  void boundsLengthPrefixesBeforeAllocating() {
    ByteBuffer tooLong = ByteBuffer.wrap(HEX.parseHex("808001"));
    assertThatThrownBy(() -> Varint.readLength(tooLong, 1024, Scope.STREAM))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    ByteBuffer beyondInput = ByteBuffer.wrap(HEX.parseHex("0501020304"));
    assertThatThrownBy(() -> Varint.readLength(beyondInput, 1024, Scope.STREAM))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  @Test
  void refusesToEncodeNegativeNumbers() {
    assertThatThrownBy(() -> Varint.encode(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertBad(String hex, Reason reason) {
    assertThatThrownBy(() -> Varint.read(ByteBuffer.wrap(HEX.parseHex(hex)), Scope.STREAM))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.scope()).isEqualTo(Scope.STREAM);
            });
  }
}
