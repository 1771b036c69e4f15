package dev.cairn.chain.state;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.testing.Fuzz;

/** Fuzzes the stored account and undo records (read back from RocksDB, whose files can rot). */
class StateCodecFuzzTest {
  private static final Hash BLOCK = Hash.sha256(new byte[] {1});

  @FuzzTest(maxDuration = "10s")
  void accountRecordIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(input, 16, DecodeException.class, StateCodec::decodeAccount, StateCodec::encode);
  }

  @FuzzTest(maxDuration = "10s")
  void undoRecordIsCanonical(byte[] input) throws Exception {
    Fuzz.canonical(
        input, 32, DecodeException.class, b -> StateCodec.decodeUndo(BLOCK, b), StateCodec::encode);
  }
}
