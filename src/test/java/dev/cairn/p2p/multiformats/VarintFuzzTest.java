package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Scope;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Fuzzes the multiformats varint readers (stream and buffer forms). */
class VarintFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void varintDecodesToItsOwnMinimalEncoding(byte[] input) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(input);
    long fromBuffer;
    try {
      fromBuffer = Varint.read(buf, Scope.STREAM);
    } catch (ProtocolException e) {
      fromBuffer = -2;
    }
    long fromStream;
    try {
      fromStream = Varint.read(new ByteArrayInputStream(input), Scope.STREAM);
    } catch (ProtocolException | EOFException e) {
      fromStream = -2;
    }
    if (input.length == 0) {
      assertThat(fromStream).isEqualTo(-1);
      return;
    }
    assertThat(fromStream).isEqualTo(fromBuffer);
    if (fromBuffer >= 0) {
      byte[] consumed = Arrays.copyOf(input, buf.position());
      assertThat(Varint.encode(fromBuffer)).isEqualTo(consumed);
    }
  }
}
