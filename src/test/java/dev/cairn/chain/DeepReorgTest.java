package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.tip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.store.ChainStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fork choice weighs work at any depth: a node on 5,000 blocks switches to a branch from genesis
 * with one block more of the same work, undoing all 5,000. Also a check that importing a deep
 * branch and the reorg stay linear in its length (logged: the time of each phase).
 */
@Timeout(120)
class DeepReorgTest {
  private static final Logger LOG = LogManager.getLogger();
  private static final int DEPTH = 5_000;

  @TempDir Path dir;

  @Test
  void aFiveThousandBlockReorgOntoAHeavierChainWorks() {
    // Ten times behind schedule: the difficulty falls to the limit at once, so both branches are
    // cheap to mine and carry the same work at every height (same times, other miners).
    List<Block> a = branch(genesis(), DEPTH, 10_000, addr(5));
    List<Block> b = branch(genesis(), DEPTH + 1, 10_000, addr(6));
    assertThat(b.get(DEPTH - 1).header().bits()).isEqualTo(a.get(DEPTH - 1).header().bits());
    List<HeadChange> changes = new ArrayList<>();
    try (ChainStore store = ChainStore.open(dir, false)) {
      ChainState chain = ChainFixture.open(store);
      chain.subscribe(changes::add);
      long t0 = System.nanoTime();
      for (Block x : a) {
        assertThat(chain.importBlock(x, "a").outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
      }
      long t1 = System.nanoTime();
      // As sync delivers a header chain shown heavier: stored while lighter, then equal.
      for (Block x : b.subList(0, DEPTH)) {
        assertThat(chain.importBlock(x, "b", true).outcome()).isEqualTo(Outcome.IMPORTED_SIDE);
      }
      long t2 = System.nanoTime();
      assertThat(chain.view().headHash()).isEqualTo(tip(a).hash()); // equal work: the head stays
      ImportResult r = chain.importBlock(b.get(DEPTH), "b", true);
      long t3 = System.nanoTime();
      LOG.info(
          "{} blocks on the head {} ms, {} side blocks {} ms, reorg of {} {} ms",
          DEPTH,
          (t1 - t0) / 1_000_000,
          DEPTH,
          (t2 - t1) / 1_000_000,
          DEPTH,
          (t3 - t2) / 1_000_000);
      assertThat(r.outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
      assertThat(chain.view().headHash()).isEqualTo(tip(b).hash());
      assertThat(chain.view().height()).isEqualTo(DEPTH + 1);
      HeadChange reorg = changes.get(changes.size() - 1);
      assertThat(reorg.disconnected()).hasSize(DEPTH);
      assertThat(reorg.connected()).hasSize(DEPTH + 1);
      for (int h : new int[] {1, DEPTH / 2, DEPTH + 1}) {
        assertThat(store.canonical(h)).contains(b.get(h - 1).hash());
      }
      assertThat(store.allAccounts()).isEqualTo(ChainFixture.replay(b).accounts());
    }
  }
}
