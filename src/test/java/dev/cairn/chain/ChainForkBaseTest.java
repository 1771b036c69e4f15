package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.NOW;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.consensus.HeaderChainCheck;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.store.ChainStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChainCommand.ForkBaseOf}: a base on which sync checks headers it does not store. */
@Timeout(60)
class ChainForkBaseTest {
  @TempDir Path dir;
  ChainStore store;
  ChainState chain;

  @BeforeEach
  void open() {
    store = ChainStore.open(dir, false);
    chain = ChainFixture.open(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  void importAll(List<Block> blocks) {
    for (Block b : blocks) {
      CompletableFuture<ImportResult> f = new CompletableFuture<>();
      chain.handle(new ChainCommand.ImportBlock(b, "test", true, f));
      assertThat(f.join().imported()).as(f.join().toString()).isTrue();
    }
  }

  Optional<ForkBase> base(Hash h) {
    CompletableFuture<Optional<ForkBase>> f = new CompletableFuture<>();
    chain.handle(new ChainCommand.ForkBaseOf(h, f));
    return f.join();
  }

  /** Headers mined after {@code parent} pass on the base the chain gives for it. */
  void childrenPassOn(BlockHeader parent, long dt) {
    List<Block> next = branch(parent, 14, dt, MINER);
    ForkBase b = base(parent.hash()).orElseThrow();
    assertThat(b.header()).isEqualTo(parent);
    HeaderChainCheck.Result r =
        HeaderChainCheck.check(b, next.stream().map(Block::header).toList(), PARAMS, NOW);
    assertThat(r.complete()).as(r.verdict().toString()).isTrue();
    // ... and the chain itself agrees on the work they reach.
    importAll(next);
    assertThat(base(next.getLast().hash()).orElseThrow().cumulativeWork())
        .isEqualTo(r.tip().cumulativeWork());
  }

  @Test
  void givesTheBaseOfCanonicalSideAndGenesisHeaders() {
    List<Block> main = branch(genesis(), 20, 1_000, MINER);
    importAll(main);
    childrenPassOn(main.get(15).header(), 1_001);
    // A side branch above genesis: anchored at canonical block 1.
    List<Block> side = branch(main.get(9).header(), 3, 4_000, MINER);
    importAll(side);
    childrenPassOn(side.getLast().header(), 700);
    // A branch from genesis: anchored at its own block 1 (stamped later than ours).
    List<Block> fromGenesis = branch(genesis(), 2, 9_000, MINER);
    importAll(fromGenesis);
    childrenPassOn(fromGenesis.getLast().header(), 900);
    childrenPassOn(genesis(), 1_100);
  }

  @Test
  void nothingForAnUnknownHeader() {
    assertThat(base(Hash.sha256(new byte[] {1}))).isEmpty();
    assertThat(base(genesis().hash()).orElseThrow().recentTimestamps())
        .containsExactly(genesis().timestamp());
  }
}
