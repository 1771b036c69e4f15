package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The owner thread and its mailbox. */
@Timeout(60)
class ChainServiceTest {
  @TempDir Path dir;

  ChainService start(ChainConfig config) {
    return ChainFixture.startService(dir, config);
  }

  @Test
  void runsCommandsOnTheOwnerThreadAndPublishesASnapshot() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      List<String> threads = new ArrayList<>();
      chain
          .subscribeHeadChanges(c -> threads.add(Thread.currentThread().getName()))
          .get(5, TimeUnit.SECONDS);
      List<Block> blocks = branch(genesis(), 3, 1_000, MINER);
      for (Block b : blocks) {
        assertThat(chain.importBlock(b, "test").get(5, TimeUnit.SECONDS).outcome())
            .isEqualTo(ImportResult.Outcome.IMPORTED_HEAD);
      }
      ChainView v = chain.view();
      assertThat(v.height()).isEqualTo(3);
      assertThat(v.headHash()).isEqualTo(blocks.get(2).hash());
      assertThat(chain.blockAt(2).get(5, TimeUnit.SECONDS)).contains(blocks.get(1));
      assertThat(chain.submitTransaction(tx(0, 4, 5, 10, 0)).get(5, TimeUnit.SECONDS).outcome())
          .isEqualTo(Mempool.Outcome.ADDED);
      assertThat(chain.view().mempoolSize()).isEqualTo(1);
      assertThat(chain.locator().get(5, TimeUnit.SECONDS)).first().isEqualTo(v.headHash());
      assertThat(threads).containsOnly("chain-owner").hasSize(3);
    }
  }

  @Test
  void gossipOffersAreRefusedAsBusyWhenTheMailboxIsFull() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults().with(ChainConfig::mailboxCapacity, 2))) {
      // A test-only listener that holds the owner thread, so the mailbox fills up.
      ChainFixture.OwnerHold hold = ChainFixture.OwnerHold.subscribe(chain);
      List<Block> blocks = branch(genesis(), 4, 1_000, MINER);
      CompletableFuture<ImportResult> first = chain.importBlock(blocks.get(0), "local");
      assertThat(hold.entered().await(10, TimeUnit.SECONDS)).isTrue();
      List<CompletableFuture<ImportResult>> offered = new ArrayList<>();
      for (int i = 1; i < 4; i++) {
        offered.add(chain.offerBlock(blocks.get(i), "peer"));
      }
      // Two fit (ticks may take a slot, so at least one is refused).
      assertThat(offered.get(2).getNow(null)).isNotNull();
      assertThat(offered.get(2).getNow(null).outcome()).isEqualTo(ImportResult.Outcome.BUSY);
      hold.release().countDown();
      assertThat(first.get(5, TimeUnit.SECONDS).outcome())
          .isEqualTo(ImportResult.Outcome.IMPORTED_HEAD);
    }
  }

  @Test
  void aFailingCommandFailsItsReplyAndTheOwnerCarriesOn() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      CompletableFuture<ImportResult> bad = chain.importBlock(null, "test");
      assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThat(chain.isRunning()).isTrue();
      Block b = branch(genesis(), 1, 1_000, MINER).get(0);
      assertThat(chain.importBlock(b, "test").get(5, TimeUnit.SECONDS).imported()).isTrue();
    }
  }

  @Test
  void afterCloseCommandsFailAndTheStoreReopens() throws Exception {
    ChainService chain = start(ChainConfig.defaults());
    Block b = branch(genesis(), 1, 1_000, MINER).get(0);
    chain.importBlock(b, "test").get(5, TimeUnit.SECONDS);
    chain.close();
    assertThatThrownBy(() -> chain.locator().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(chain.offerBlock(b, "peer").get().outcome()).isEqualTo(ImportResult.Outcome.BUSY);
    try (ChainService again = start(ChainConfig.defaults())) {
      assertThat(again.view().headHash()).isEqualTo(b.hash());
    }
  }
}
