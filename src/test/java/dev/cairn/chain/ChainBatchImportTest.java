package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.mine;
import static dev.cairn.chain.ChainFixture.replay;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.store.ChainStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of a sync batch ({@link ChainState#importBatch}): one fsync and one head change for
 * the blocks that extend the head, each block still its own atomic write, the batch stopped at its
 * first invalid block with the blocks before it committed, and a reorg inside a batch announced on
 * its own. Each case reopens the store and finds it consistent at the batch's last good block.
 */
@Timeout(60)
class ChainBatchImportTest {
  @TempDir Path dir;
  ChainStore store;
  ChainState chain;
  final List<HeadChange> changes = new ArrayList<>();

  @BeforeEach
  void open() {
    if (store != null) {
      store.close();
    }
    store = ChainStore.open(dir, true);
    chain = ChainFixture.open(store, ChainConfig.defaults());
    chain.subscribe(changes::add);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** {@code n} blocks after {@code parent}, each spending key 0's next nonce from {@code nonce}. */
  static List<Block> spending(BlockHeader parent, int n, long nonce, long dt) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Block b = mine(parent, dt, MINER, List.of(tx(0, 1 + i % 3, 5 + i, 10, nonce + i)));
      out.add(b);
      parent = b.header();
    }
    return out;
  }

  List<ImportResult> batch(List<Block> blocks) {
    CompletableFuture<List<ImportResult>> f = new CompletableFuture<>();
    chain.handle(new ChainCommand.ImportBatch(blocks, "sync", f));
    return f.join();
  }

  static List<Hash> hashes(List<Block> blocks) {
    return blocks.stream().map(Block::hash).toList();
  }

  /** Reopens the store and checks that head, canonical chain and accounts are {@code chain}'s. */
  void assertReopensAt(List<Block> canonical) {
    store.close();
    store = null;
    open();
    assertThat(chain.view().headHash()).isEqualTo(canonical.getLast().hash());
    for (int h = 1; h <= canonical.size(); h++) {
      assertThat(store.canonical(h)).contains(canonical.get(h - 1).hash());
    }
    assertThat(store.allAccounts()).isEqualTo(replay(canonical).accounts());
  }

  @Test
  void aBatchExtendingTheHeadIsFsyncedOnceAndAnnouncedOnce() {
    List<Block> blocks = spending(genesis(), 8, 0, 1_000);
    long syncs = store.logSyncs();

    List<ImportResult> results = batch(blocks);

    assertThat(results).extracting(ImportResult::outcome).containsOnly(Outcome.IMPORTED_HEAD);
    assertThat(results).hasSize(8);
    assertThat(store.logSyncs() - syncs).as("fsyncs of the log for the batch").isEqualTo(1);
    assertThat(changes).hasSize(1);
    HeadChange c = changes.getFirst();
    assertThat(c.connected()).isEqualTo(hashes(blocks));
    assertThat(c.disconnected()).isEmpty();
    assertThat(c.previous().height()).isZero();
    assertThat(c.current().height()).isEqualTo(8);
    assertThat(chain.view().headHash()).isEqualTo(blocks.getLast().hash());
    assertReopensAt(blocks);
  }

  @Test
  void aBatchStopsAtItsFirstInvalidBlockWithTheBlocksBeforeItCommitted() {
    List<Block> good = spending(genesis(), 3, 0, 1_000);
    // nonce 7 where 3 is due: the state refuses it
    Block bad = spending(good.getLast().header(), 1, 7, 1_000).getFirst();
    Block after = mine(bad.header(), 1_000);
    List<Block> blocks = new ArrayList<>(good);
    blocks.add(bad);
    blocks.add(after);
    long syncs = store.logSyncs();

    List<ImportResult> results = batch(blocks);

    assertThat(results)
        .extracting(ImportResult::outcome)
        .containsExactly(
            Outcome.IMPORTED_HEAD, Outcome.IMPORTED_HEAD, Outcome.IMPORTED_HEAD, Outcome.INVALID);
    assertThat(store.logSyncs() - syncs).isEqualTo(1);
    assertThat(changes).hasSize(1);
    assertThat(changes.getFirst().connected()).isEqualTo(hashes(good));
    assertThat(store.header(after.hash())).isEmpty();
    assertReopensAt(good);
  }

  @Test
  void aReorgInsideABatchIsAnnouncedApartFromTheBlocksBeforeIt() {
    List<Block> a = spending(genesis(), 2, 0, 1_000);
    // a heavier branch from genesis, its blocks closer together: three blocks against two
    List<Block> b = spending(genesis(), 3, 0, 900);
    List<Block> blocks = new ArrayList<>(a);
    blocks.addAll(b);

    List<ImportResult> results = batch(blocks);

    assertThat(results).extracting(ImportResult::imported).containsOnly(true);
    assertThat(results.getLast().outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).connected()).isEqualTo(hashes(a));
    assertThat(changes.get(0).disconnected()).isEmpty();
    assertThat(changes.get(1).disconnected()).isEqualTo(hashes(a).reversed());
    assertThat(changes.get(1).connected()).isEqualTo(hashes(b));
    assertThat(changes.get(1).previous().headHash()).isEqualTo(a.getLast().hash());
    assertReopensAt(b);
  }
}
