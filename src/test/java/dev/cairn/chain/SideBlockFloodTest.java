package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.store.ChainStore;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is stored for free: a peer mines 10,000 valid side blocks at the proof-of-work limit (a
 * couple of hashes each) on a branch lighter than our head and offers them unrequested, as gossip,
 * the API or an orphan fetch would. None is stored.
 */
@Timeout(120)
class SideBlockFloodTest {
  private static final Logger LOG = LogManager.getLogger();
  private static final int FLOOD = 10_000;

  @TempDir Path dir;

  @Test
  void tenThousandCheapSideBlocksOfferedUnrequestedLeaveTheStoreAsItWas() {
    // One slow honest block (200 s late) drops the difficulty to the limit for all after it.
    Block b1 = ChainFixture.mine(genesis(), 1_000);
    Block b2 = ChainFixture.mine(b1.header(), 200_000);
    List<Block> honest =
        ChainFixture.concat(List.of(b1, b2), branch(b2.header(), 4, 1_000, addr(5)));
    try (ChainStore store = ChainStore.open(dir, false)) {
      ChainState chain = ChainFixture.open(store);
      for (Block b : honest) {
        assertThat(chain.importBlock(b, "honest").outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
      }
      long bytesBefore = store.blockBytes();
      int headersBefore = headers(store);
      // Children of block 3, three blocks below the head: valid, at the limit's bits, lighter.
      BlockHeader fork = honest.get(2).header();
      assertThat(fork.bits()).isEqualTo(PARAMS.powLimitBits());
      Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
      long t0 = System.nanoTime();
      for (int i = 0; i < FLOOD; i++) {
        Block b = ChainFixture.mine(fork, 1_000 + i, addr(6 + i % 2), List.of());
        outcomes.merge(chain.importBlock(b, "flooder").outcome(), 1, Integer::sum);
      }
      LOG.info(
          "{} side blocks mined and offered in {} ms: {}",
          FLOOD,
          (System.nanoTime() - t0) / 1_000_000,
          outcomes);
      assertThat(outcomes).containsOnlyKeys(Outcome.LIGHT_BRANCH);
      long grown = store.blockBytes() - bytesBefore;
      assertThat(grown).isLessThanOrEqualTo(3L * honest.get(1).encodedSize());
      assertThat(headers(store) - headersBefore).isLessThanOrEqualTo(3);
      assertThat(chain.view().headHash()).isEqualTo(honest.get(5).hash());
    }
  }

  private static int headers(ChainStore store) {
    int[] n = {0};
    store.forEachHeader(h -> n[0]++);
    return n[0];
  }
}
