package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Block;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The responder reads a range with a byte bound, not only a count (t2-A item 7). */
@Timeout(60)
class BlocksByRangeBoundTest {
  @TempDir Path dir;

  @Test
  void aRangeStopsBeforeItsBytesExceedTheBoundButAlwaysHoldsOneBlock() throws Exception {
    try (ChainService chain = ChainFixture.startService(dir, ChainConfig.defaults())) {
      List<Block> blocks = branch(genesis(), 10, 1_000, MINER);
      for (Block b : blocks) {
        chain.importBlock(b, "test").get(5, TimeUnit.SECONDS);
      }
      long size = blocks.get(0).encodedSize();
      assertThat(chain.blocksByRange(1, 10, 5 * size / 2).get(5, TimeUnit.SECONDS))
          .containsExactlyElementsOf(blocks.subList(0, 2));
      assertThat(chain.blocksByRange(1, 10, 1).get(5, TimeUnit.SECONDS))
          .containsExactly(blocks.get(0));
      assertThat(chain.blocksByRange(1, 10).get(5, TimeUnit.SECONDS)).hasSize(10);
    }
  }
}
