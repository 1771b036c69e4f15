package dev.cairn.chain.consensus;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Fuzzes the network (genesis) file parser: a bad file is an {@link IOException}, nothing else. */
class GenesisFileFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void networkFileParsesOrIsRefused(byte[] input) throws Exception {
    Fuzz.bounded(
        input, 512, 0, IOException.class, () -> GenesisFile.parse(new ByteArrayInputStream(input)));
  }
}
