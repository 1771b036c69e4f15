package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The responder reads a range with a byte bound, not only a count (t2-A item 7); blocks by hash
 * come in one owner call with the same bounds, stopping at the first unknown hash.
 */
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

  @Test
  void blocksByHashStopAtTheFirstUnknownAndBeforeTheByteBoundButHoldOneBlock() throws Exception {
    try (ChainService chain = ChainFixture.startService(dir, ChainConfig.defaults())) {
      List<Block> blocks = branch(genesis(), 6, 1_000, MINER);
      for (Block b : blocks) {
        chain.importBlock(b, "test").get(5, TimeUnit.SECONDS);
      }
      List<Hash> hashes = blocks.stream().map(Block::hash).toList();
      long size = blocks.get(0).encodedSize();
      assertThat(chain.blocks(hashes, Long.MAX_VALUE).get(5, TimeUnit.SECONDS))
          .containsExactlyElementsOf(blocks);
      assertThat(chain.blocks(hashes, 5 * size / 2).get(5, TimeUnit.SECONDS))
          .containsExactlyElementsOf(blocks.subList(0, 2));
      assertThat(chain.blocks(hashes, 1).get(5, TimeUnit.SECONDS)).containsExactly(blocks.get(0));
      List<Hash> gap = List.of(hashes.get(0), hashes.get(1), Hash.ZERO, hashes.get(3));
      assertThat(chain.blocks(gap, Long.MAX_VALUE).get(5, TimeUnit.SECONDS))
          .containsExactlyElementsOf(blocks.subList(0, 2));
      assertThat(chain.blocks(List.of(Hash.ZERO), Long.MAX_VALUE).get(5, TimeUnit.SECONDS))
          .isEmpty();
      List<Hash> many = new java.util.ArrayList<>();
      for (int i = 0; i < ChainState.MAX_BLOCKS + 10; i++) {
        many.add(hashes.get(i % hashes.size()));
      }
      assertThat(chain.blocks(many, Long.MAX_VALUE).get(5, TimeUnit.SECONDS))
          .hasSize(ChainState.MAX_BLOCKS);
    }
  }
}
