package dev.cairn.chain.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.testing.Fuzz;

/** Fuzzes the stored account and undo records (read back from RocksDB, whose files can rot). */
class StateCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void accountRecordIsCanonical(byte[] input) throws Exception {
    Account a =
        Fuzz.bounded(input, 16, 0, DecodeException.class, () -> StateCodec.decodeAccount(input));
    if (a != null) {
      assertThat(StateCodec.encode(a)).isEqualTo(input);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void undoRecordIsCanonical(byte[] input) throws Exception {
    Undo u = Fuzz.bounded(input, 32, 0, DecodeException.class, () -> StateCodec.decodeUndo(input));
    if (u != null) {
      assertThat(StateCodec.encode(u)).isEqualTo(input);
    }
  }
}
