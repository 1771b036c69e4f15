package dev.cairn.chain.store;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.NOW;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.mine;
import static dev.cairn.chain.ChainFixture.replay;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainState;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ChainStoreTest {
  @TempDir Path dir;

  static final ChainConfig CONFIG = ChainFixture.CONFIG;

  @Test
  void reopensAtTheSameHeadAndState() {
    List<Block> c = new ArrayList<>();
    c.add(mine(genesis(), 1_000, MINER, List.of(tx(0, 4, 100, 10, 0))));
    c.addAll(branch(c.get(0).header(), 5, 1_000, MINER));
    ChainView before;
    Map<?, Account> accounts;
    try (ChainStore store = ChainStore.open(dir, true)) {
      ChainState s = ChainFixture.open(store);
      for (Block b : c) {
        s.importBlock(b, "test");
      }
      // A side branch survives the restart too.
      s.importBlock(mine(c.get(2).header(), 5_000), "test");
      before = s.view();
      accounts = store.allAccounts();
    }
    try (ChainStore store = ChainStore.open(dir, true)) {
      ChainState s = ChainFixture.open(store);
      assertThat(s.view().headHash()).isEqualTo(before.headHash());
      assertThat(s.view().cumulativeWork()).isEqualTo(before.cumulativeWork());
      assertThat(s.view().recentHeaders()).isEqualTo(before.recentHeaders());
      assertThat(store.allAccounts()).isEqualTo(accounts).isEqualTo(replay(c).accounts());
      assertThat(store.schemaVersion()).isEqualTo(ChainStore.SCHEMA_VERSION);
      // Carries on.
      assertThat(s.importBlock(mine(c.get(5).header(), 1_000), "test").imported()).isTrue();
    }
  }

  @Test
  void refusesAnotherSchemaVersion() {
    try (ChainStore store = ChainStore.open(dir, false)) {
      ChainFixture.open(store);
      store.write(store.batch().putSchemaVersion(2), true);
    }
    assertThatThrownBy(() -> ChainStore.open(dir, false))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 2");
  }

  @Test
  void refusesAStoreOfAnotherNetwork() {
    try (ChainStore store = ChainStore.open(dir, false)) {
      ChainFixture.open(store);
    }
    NetworkParams other =
        new NetworkParams(
            "other",
            5,
            PARAMS.genesisTimestamp(),
            PARAMS.genesisBits(),
            PARAMS.powLimitBits(),
            1000,
            10_000,
            1000,
            1,
            0,
            1,
            PARAMS.allocations(),
            BigInteger.ZERO);
    try (ChainStore store = ChainStore.open(dir, false)) {
      assertThatThrownBy(
              () -> ChainState.open(other, CONFIG, store, NOW, Transaction::hasValidSignature))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("another network");
    }
  }

  @Test
  void detectsAnInconsistentStore() {
    List<Block> c = branch(genesis(), 3, 1_000, MINER);
    try (ChainStore store = ChainStore.open(dir, false)) {
      ChainState s = ChainFixture.open(store);
      c.forEach(b -> s.importBlock(b, "test"));
      // An account changed outside a block: the supply no longer matches the chain.
      store.write(store.batch().putAccount(MINER, new Account(1, 0)), true);
    }
    try (ChainStore store = ChainStore.open(dir, false)) {
      assertThatThrownBy(() -> ChainFixture.open(store))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("inconsistent");
    }
  }
}
