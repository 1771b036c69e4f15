package dev.cairn.node.miner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.testing.Await;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MinerTest {
  @TempDir Path dir;

  static final Address PAY_TO =
      SigningKey.fromSeed(Hash.sha256("miner test".getBytes(StandardCharsets.US_ASCII)).bytes())
          .address();

  @Test
  void minesBlocksWithTransactionsOnTheDevNetwork() throws Exception {
    NetworkParams dev = GenesisFile.load("dev");
    SigningKey devKey0 =
        SigningKey.fromSeed(
            Hash.sha256("cairn dev key 0".getBytes(StandardCharsets.US_ASCII)).bytes());
    try (ChainService chain =
        ChainService.start(
            dev, ChainConfig.defaults().withSyncWrites(false), dir, Clock.systemUTC())) {
      boolean funded = chain.account(devKey0.address()).get(5, TimeUnit.SECONDS).isPresent();
      assertThat(funded).as("dev key 0 is prefunded").isTrue();
      Transaction tx = null;
      if (funded) {
        tx = Transaction.signed(devKey0, dev.chainId(), PAY_TO, 12_345, dev.minFee(), 0);
        assertThat(chain.submitTransaction(tx).get(5, TimeUnit.SECONDS).accepted()).isTrue();
      }
      try (Miner miner = Miner.start(chain, Miner.Config.of(2, PAY_TO))) {
        Await.until(() -> chain.view().height() >= 3, Duration.ofSeconds(40), "three mined blocks");
        assertThat(miner.blocksFound()).isGreaterThanOrEqualTo(3);
        assertThat(miner.hashes()).isPositive();
        assertThat(miner.hashRate()).isPositive();
      }
      long height = chain.view().height();
      long expected = 0;
      for (long h = 1; h <= height; h++) {
        expected += dev.reward(h);
      }
      Account paid = chain.account(PAY_TO).get(5, TimeUnit.SECONDS).orElseThrow();
      if (funded) {
        expected += tx.amount() + tx.fee();
        assertThat(chain.transaction(tx.id()).get(5, TimeUnit.SECONDS).orElseThrow().pending())
            .isFalse();
      }
      assertThat(paid.balance()).isEqualTo(expected);
    }
  }

  /**
   * One-hour blocks and a one-minute half-life: a block timestamped one hour early (against block
   * 1, the retarget anchor) makes its child about 2^60 times harder than the limit (unminable),
   * while a block on schedule keeps its child at the limit (two hashes). The miner sits on the hard
   * job until a heavier branch arrives.
   */
  @Test
  void abandonsTheJobAndRebuildsWhenTheHeadChanges() throws Exception {
    long now = System.currentTimeMillis();
    long hour = 3_600_000;
    long t0 = now - 10 * 24 * hour;
    NetworkParams p =
        new NetworkParams(
            "miner",
            42,
            t0,
            0x207fffff,
            0x207fffff,
            hour,
            60_000,
            60_000,
            100,
            0,
            1,
            List.of(),
            BigInteger.ZERO);
    try (ChainService chain =
        ChainService.start(
            p, ChainConfig.defaults().withSyncWrites(false), dir, Clock.systemUTC())) {
      BlockHeader g = p.genesisHeader();
      Block a1 = mine(p, g, g.timestamp() + 1);
      Block a2 = mine(p, a1.header(), a1.header().timestamp() + 1);
      assertThat(imp(chain, a1).outcome()).isEqualTo(ImportResult.Outcome.IMPORTED_HEAD);
      assertThat(imp(chain, a2).outcome()).isEqualTo(ImportResult.Outcome.IMPORTED_HEAD);
      try (Miner miner =
          Miner.start(chain, new Miner.Config(1, PAY_TO, 4_096, Duration.ofMinutes(5)))) {
        Await.until(() -> miner.hashes() > 10_000, Duration.ofSeconds(20), "the miner hashing");
        assertThat(miner.blocksFound()).isZero();
        Block b1 = mine(p, g, g.timestamp() + hour);
        Block b2 = mine(p, b1.header(), b1.header().timestamp() + hour);
        Block b3 = mine(p, b2.header(), b2.header().timestamp() + hour);
        // A heavier branch arriving as sync delivers it: requested, so stored while lighter.
        assertThat(req(chain, b1).outcome()).isEqualTo(ImportResult.Outcome.IMPORTED_SIDE);
        assertThat(req(chain, b2).outcome()).isEqualTo(ImportResult.Outcome.IMPORTED_SIDE);
        assertThat(req(chain, b3).outcome()).isEqualTo(ImportResult.Outcome.IMPORTED_HEAD);
        Await.until(() -> chain.view().height() >= 4, Duration.ofSeconds(20), "a block on b3");
        assertThat(miner.restarts()).isGreaterThanOrEqualTo(1);
        assertThat(miner.jobs()).isGreaterThanOrEqualTo(2);
        Block b4 = chain.blockAt(4).get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(b4.header().parent()).isEqualTo(b3.hash());
        assertThat(b4.header().miner()).isEqualTo(PAY_TO);
      }
    }
  }

  private static ImportResult imp(ChainService chain, Block b) throws Exception {
    return chain.importBlock(b, "test").get(10, TimeUnit.SECONDS);
  }

  private static ImportResult req(ChainService chain, Block b) throws Exception {
    return chain.importRequested(b, "test sync").get(10, TimeUnit.SECONDS);
  }

  private static Block mine(NetworkParams p, BlockHeader parent, long time) {
    return ChainFixture.mine(p, parent, PAY_TO, List.of(), time);
  }
}
