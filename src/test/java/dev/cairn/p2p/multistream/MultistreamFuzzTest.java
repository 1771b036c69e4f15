package dev.cairn.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.testing.Fuzz;
import java.util.Arrays;

/** Fuzzes multistream-select message framing: every line read re-encodes to the bytes it used. */
class MultistreamFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void messagesAreReadUntilTheStreamEndsOrIsRefused(byte[] input) throws Exception {
    Fuzz.readOrRefused(
        input,
        64,
        MultistreamCodec.MAX_MESSAGE,
        in -> {
          int at = 0;
          while (true) {
            String line = MultistreamCodec.read(in, Scope.STREAM);
            int next = input.length - in.available();
            assertThat(MultistreamCodec.encode(line))
                .isEqualTo(Arrays.copyOfRange(input, at, next));
            at = next;
          }
        });
  }
}
