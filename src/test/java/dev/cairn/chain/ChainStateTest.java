package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.NOW;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.concat;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.mine;
import static dev.cairn.chain.ChainFixture.replay;
import static dev.cairn.chain.ChainFixture.tip;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.store.ChainStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The chain owner's logic driven through {@link ChainState#handle} on the test thread. */
@Timeout(60)
class ChainStateTest {
  @TempDir Path dir;
  ChainStore store;
  ChainState chain;
  final List<HeadChange> changes = new ArrayList<>();

  @BeforeEach
  void open() {
    open(ChainConfig.defaults().withSyncWrites(false));
  }

  void open(ChainConfig config) {
    if (store != null) {
      store.close();
    }
    store = ChainStore.open(dir, false);
    chain = ChainFixture.open(store, config);
    chain.subscribe(changes::add);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Imports {@code b} unrequested (as gossip, the miner or the API would). */
  ImportResult imp(Block b) {
    return imp(b, false);
  }

  /** Imports {@code b} as sync would, a block of a header chain already shown heavier. */
  ImportResult req(Block b) {
    return imp(b, true);
  }

  ImportResult imp(Block b, boolean requested) {
    CompletableFuture<ImportResult> f = new CompletableFuture<>();
    chain.handle(new ChainCommand.ImportBlock(b, "test", requested, f));
    return f.join();
  }

  List<ImportResult> impAll(List<Block> blocks) {
    List<ImportResult> out = new ArrayList<>();
    for (Block b : blocks) {
      out.add(imp(b));
    }
    return out;
  }

  List<ImportResult> reqAll(List<Block> blocks) {
    List<ImportResult> out = new ArrayList<>();
    for (Block b : blocks) {
      out.add(req(b));
    }
    return out;
  }

  static BigInteger work(List<Block> chain) {
    BigInteger w = CompactTarget.work(genesis().bits());
    for (Block b : chain) {
      w = w.add(CompactTarget.work(b.header().bits()));
    }
    return w;
  }

  /** Head, canonical index and accounts equal a fresh replay of {@code winner} from genesis. */
  void assertChainIs(List<Block> winner) {
    assertThat(chain.view().headHash())
        .isEqualTo(winner.isEmpty() ? genesis().hash() : tip(winner).hash());
    assertThat(chain.view().height()).isEqualTo(winner.size());
    assertThat(chain.view().cumulativeWork()).isEqualTo(work(winner));
    for (int i = 0; i < winner.size(); i++) {
      assertThat(store.canonical(i + 1)).contains(winner.get(i).hash());
    }
    assertThat(store.canonical(winner.size() + 1)).isEmpty();
    assertThat(store.head()).contains(chain.view().headHash());
    assertThat(store.allAccounts()).isEqualTo(replay(winner).accounts());
  }

  @Test
  void importsBlocksWithTransactionsOntoTheHead() {
    Block b1 = mine(genesis(), 1000, MINER, List.of(tx(0, 4, 100, 10, 0), tx(1, 0, 50, 10, 0)));
    Block b2 = mine(b1.header(), 1000, MINER, List.of(tx(0, 4, 100, 10, 1), tx(4, 5, 20, 10, 0)));
    assertThat(impAll(List.of(b1, b2)))
        .extracting(ImportResult::outcome)
        .containsExactly(Outcome.IMPORTED_HEAD, Outcome.IMPORTED_HEAD);
    assertChainIs(List.of(b1, b2));
    assertThat(chain.account(addr(4))).contains(new Account(170, 1));
    assertThat(changes).hasSize(2);
    assertThat(imp(b2).outcome()).isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void sideBranchWithLessWorkStaysSideAndMostWorkWinsNotMostBlocks() {
    List<Block> slow = branch(genesis(), 4, 10_000, addr(5));
    List<Block> fast = branch(genesis(), 3, 1_000, addr(6));
    assertThat(slow.size()).isGreaterThan(fast.size());
    assertThat(work(fast)).isGreaterThan(work(slow)); // premise: fewer blocks, more work

    impAll(slow);
    assertChainIs(slow);
    List<ImportResult> r = reqAll(fast);
    assertThat(r)
        .extracting(ImportResult::outcome)
        .containsExactly(Outcome.IMPORTED_SIDE, Outcome.IMPORTED_SIDE, Outcome.IMPORTED_HEAD);
    assertChainIs(fast);
    HeadChange last = changes.get(changes.size() - 1);
    assertThat(last.disconnected()).hasSize(4);
    assertThat(last.connected())
        .containsExactly(fast.get(0).hash(), fast.get(1).hash(), fast.get(2).hash());
  }

  @Test
  void reorgsBackAndForthAndStateAlwaysEqualsAReplayOfTheWinner() {
    // A and B share block 1 (with transactions); then compete with different transactions.
    Block shared = mine(genesis(), 1000, MINER, List.of(tx(0, 4, 1_000, 10, 0)));
    List<Block> a = new ArrayList<>();
    List<Block> b = new ArrayList<>();
    BlockHeader pa = shared.header();
    BlockHeader pb = shared.header();
    long nonceA = 1;
    req(shared);
    for (int round = 0; round < 4; round++) {
      // A grows by one slow block spending key 1; then B grows by fast blocks spending key 0,
      // alternating which branch has more work.
      Block na = mine(pa, 3_000, addr(5), List.of(tx(1, 4, 7, 10, round)));
      a.add(na);
      pa = na.header();
      req(na);
      assertChainIs(concat(List.of(shared), winner(a, b)));
      Block nb = mine(pb, 500, addr(6), List.of(tx(0, 5, 3, 10, nonceA++)));
      b.add(nb);
      pb = nb.header();
      req(nb);
      assertChainIs(concat(List.of(shared), winner(a, b)));
    }
    // Another round where A overtakes with two blocks.
    for (int i = 0; i < 3; i++) {
      Block na = mine(pa, 3_000, addr(5), List.of());
      a.add(na);
      pa = na.header();
      req(na);
      assertChainIs(concat(List.of(shared), winner(a, b)));
    }
    assertThat(changes.stream().filter(HeadChange::isReorg).count()).isGreaterThanOrEqualTo(2);
  }

  /** The branch with more work; the first seen (A, imported first each round) on a tie. */
  private List<Block> winner(List<Block> a, List<Block> b) {
    BigInteger wa = work(a);
    BigInteger wb = work(b);
    if (wb.compareTo(wa) > 0) {
      return b;
    }
    return a;
  }

  @Test
  void invalidBlockOnANewBranchIsMarkedWithItsDescendantsAndTheBestValidChainStays() {
    List<Block> a = branch(genesis(), 3, 5_000, addr(5));
    impAll(a);
    Block b1 = mine(genesis(), 1_000, addr(6), List.of(tx(0, 4, 100, 10, 0)));
    // b2 replays key 0's nonce 0: header and body are fine, the state rejects it.
    Block b2 = mine(b1.header(), 1_000, addr(6), List.of(tx(0, 4, 101, 10, 0)));
    Block b3 = mine(b2.header(), 1_000, addr(6), List.of());
    Block b4 = mine(b3.header(), 1_000, addr(6), List.of());
    assertThat(work(List.of(b1, b2, b3))).isGreaterThan(work(a));

    assertThat(req(b1).outcome()).isEqualTo(Outcome.IMPORTED_SIDE);
    ImportResult r2 = req(b2);
    ImportResult r3 = req(b3);
    // b1+b2 may already outweigh a: whichever import triggered the reorg reports the failure.
    assertThat(List.of(r2.outcome(), r3.outcome()))
        .contains(Outcome.INVALID_ANCESTOR)
        .doesNotContain(Outcome.IMPORTED_HEAD);
    assertChainIs(a);
    assertThat(req(b4).outcome()).isEqualTo(Outcome.INVALID_ANCESTOR);
    ImportResult again = req(b2);
    assertThat(again.outcome()).isEqualTo(Outcome.INVALID);
    // b1 alone is a valid side block; the chain is still a.
    assertChainIs(a);
  }

  @Test
  void invalidBlockExtendingTheHeadIsRejectedWithItsReason() {
    Block bad = mine(genesis(), 1_000, MINER, List.of(tx(0, 4, 2_000_000, 10, 0)));
    ImportResult r = imp(bad);
    assertThat(r.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(r.reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    Block good = mine(genesis(), 1_000);
    Block badPow = new Block(good.header().withNonce(good.header().nonce() + 1), List.of());
    if (!dev.cairn.chain.consensus.ProofOfWork.meetsTarget(badPow.header())) {
      assertThat(imp(badPow).reason()).isEqualTo(RejectReason.INSUFFICIENT_PROOF_OF_WORK);
    }
    Block future = mine(genesis(), 2L * 365 * 24 * 3600_000);
    assertThat(imp(future).outcome()).isEqualTo(Outcome.IGNORED);
    assertChainIs(List.of());
  }

  @Test
  void orphansConnectWhenTheirParentArrivesInAnyOrder() {
    List<Block> c = branch(genesis(), 6, 1_000, MINER);
    // 6, 4, 5, 2, 3 arrive before 1.
    for (int i : new int[] {5, 3, 4, 1, 2}) {
      ImportResult r = imp(c.get(i));
      assertThat(r.outcome()).isEqualTo(Outcome.ORPHANED);
    }
    assertThat(imp(c.get(4)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(chain.view().orphanCount()).isEqualTo(5);
    assertThat(imp(c.get(2)).wanted()).isNull(); // duplicate
    ImportResult r = imp(c.get(0));
    assertThat(r.outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertChainIs(c);
    assertThat(chain.view().orphanCount()).isZero();
  }

  @Test
  void orphanNamesTheMissingAncestorToFetch() {
    List<Block> c = branch(genesis(), 4, 1_000, MINER);
    imp(c.get(3));
    ImportResult r = imp(c.get(2));
    assertThat(r.wanted()).isEqualTo(c.get(1).hash());
    assertThat(imp(c.get(3)).outcome()).isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void orphanPoolEvictsTheOldestAtItsBoundAndExpiresOnTick() {
    open(ChainConfig.defaults().withSyncWrites(false).withOrphanBounds(3, 1 << 20));
    List<Block> c = branch(genesis(), 6, 1_000, MINER);
    for (int i = 1; i < 6; i++) {
      imp(c.get(i));
    }
    assertThat(chain.view().orphanCount()).isEqualTo(3); // 4, 5, 6 kept; 2, 3 evicted
    imp(c.get(0));
    assertThat(chain.view().height()).isEqualTo(1);
    imp(c.get(1));
    imp(c.get(2));
    assertChainIs(c);

    List<Block> d = branch(c.get(5).header(), 2, 1_000, MINER);
    imp(d.get(1));
    assertThat(chain.view().orphanCount()).isEqualTo(1);
    chain.handle(new ChainCommand.Tick(NOW + ChainConfig.defaults().orphanExpiryMillis()));
    assertThat(chain.view().orphanCount()).isZero();
  }

  @Test
  void orphanPoolIsBoundedInBytes() {
    open(ChainConfig.defaults().withSyncWrites(false).withOrphanBounds(100, 2_000));
    List<Block> c = branch(genesis(), 30, 1_000, MINER);
    for (int i = 1; i < 30; i++) {
      imp(c.get(i));
    }
    assertThat(chain.orphanCount()).isEqualTo(2_000 / c.get(1).encodedSize());
  }

  @Test
  void transactionsOfAbandonedBlocksReturnToTheMempool() {
    Transaction t1 = tx(0, 4, 100, 10, 0);
    Transaction t2 = tx(1, 4, 100, 10, 0);
    Transaction both = tx(2, 4, 100, 10, 0);
    List<Block> a = new ArrayList<>();
    a.add(mine(genesis(), 5_000, addr(5), List.of(t1, both)));
    a.add(mine(a.get(0).header(), 5_000, addr(5), List.of(t2)));
    impAll(a);
    assertThat(chain.mempool().size()).isZero();
    List<Block> b = new ArrayList<>();
    b.add(mine(genesis(), 1_000, addr(6), List.of(both)));
    b.addAll(branch(b.get(0).header(), 2, 1_000, addr(6)));
    assertThat(work(b)).isGreaterThan(work(a));
    reqAll(b);
    assertChainIs(b);
    assertThat(chain.mempool().contains(t1.id())).isTrue();
    assertThat(chain.mempool().contains(t2.id())).isTrue();
    assertThat(chain.mempool().contains(both.id())).isFalse();
    Template t = chain.template(MINER);
    assertThat(t.transactions()).containsExactlyInAnyOrder(t1, t2);
    // Mining the template includes them and empties the pool again.
    Block next = ChainFixture.mine(tip(b), 1_000, MINER, t.transactions());
    assertThat(imp(next).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertThat(chain.mempool().size()).isZero();
    assertThat(chain.view().mempoolSize()).isZero();
  }

  @Test
  void aForkDeeperThanTheOldBoundButHeavierIsFollowed() {
    // The scenario of issue 10: a node on 1,500 cheap blocks (ten times behind schedule, so the
    // difficulty falls to the limit) meets a branch from genesis with fewer, harder blocks.
    List<Block> cheap = branch(genesis(), 1_500, 10_000, addr(5));
    impAll(cheap);
    assertChainIs(cheap);
    List<Block> heavy = branch(genesis(), 100, 1_000, addr(6));
    assertThat(work(heavy)).isGreaterThan(work(cheap).multiply(BigInteger.valueOf(10)));
    List<ImportResult> r = reqAll(heavy);
    assertThat(r).allSatisfy(x -> assertThat(x.imported()).as(x.toString()).isTrue());
    assertChainIs(heavy);
    HeadChange reorg = changes.stream().filter(HeadChange::isReorg).findFirst().orElseThrow();
    assertThat(reorg.disconnected()).hasSize(1_500);
  }

  @Test
  void aLighterBranchIsNotStoredUnrequestedAndNeverDisplacesTheHead() {
    List<Block> a = branch(genesis(), 5, 1_000, addr(5));
    impAll(a);
    long bytes = store.blockBytes();
    // Slow blocks from genesis: valid headers, less work than a at every height.
    List<Block> light = branch(genesis(), 8, 10_000, addr(6));
    assertThat(work(light)).isLessThan(work(a));
    ImportResult r = imp(light.get(0));
    assertThat(r.outcome()).isEqualTo(Outcome.LIGHT_BRANCH);
    assertThat(r.penalise()).isFalse();
    assertThat(store.hasBlock(light.get(0).hash())).isFalse();
    assertThat(store.header(light.get(0).hash())).isEmpty();
    assertThat(store.blockBytes()).isEqualTo(bytes);
    // Sync asks for it (its header chain was shown heavier): stored, but the head stays.
    assertThat(reqAll(light)).extracting(ImportResult::outcome).containsOnly(Outcome.IMPORTED_SIDE);
    assertChainIs(a);
    // Deeper (from genesis, 5 blocks below the head) and as long again, still lighter: not
    // followed.
    List<Block> deepLight = branch(tip(light), 2, 10_000, addr(6));
    assertThat(imp(deepLight.get(0)).outcome()).isEqualTo(Outcome.LIGHT_BRANCH);
    assertChainIs(a);
  }

  @Test
  void aBranchWithWorkEqualToTheHeadsIsStoredUnrequestedButTheHeadStays() {
    List<Block> a = branch(genesis(), 3, 1_000, addr(5));
    impAll(a);
    // A sibling of the head with the same bits: an honest race.
    Block rival = mine(a.get(1).header(), 1_000, addr(6), List.of());
    assertThat(rival.header().bits()).isEqualTo(a.get(2).header().bits());
    assertThat(imp(rival).outcome()).isEqualTo(Outcome.IMPORTED_SIDE);
    assertThat(store.hasBlock(rival.hash())).isTrue();
    assertChainIs(a);
    // Its child makes the rival branch heavier: followed.
    Block next = mine(rival.header(), 1_000, addr(6), List.of());
    assertThat(imp(next).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertChainIs(List.of(a.get(0), a.get(1), rival, next));
  }

  @Test
  void aHeavierBranchArrivingNewestFirstIsStoredWhenItsOldestBlockComes() {
    // Gossip brings the tip of a heavier branch, the ancestors come one by one, newest first
    // (fetched by hash): each alone is lighter than the head, the orphans waiting on it are not.
    List<Block> a = branch(genesis(), 4, 1_000, addr(5));
    impAll(a);
    List<Block> b = branch(a.get(0).header(), 5, 1_000, addr(6));
    for (int i = 4; i >= 1; i--) {
      assertThat(imp(b.get(i)).outcome()).isEqualTo(Outcome.ORPHANED);
    }
    ImportResult r = imp(b.get(0));
    assertThat(r.imported()).as(r.toString()).isTrue();
    assertChainIs(concat(List.of(a.get(0)), b));
    assertThat(chain.orphanCount()).isZero();

    // Orphans that do not add up to the head's work do not carry their ancestor.
    List<Block> c = branch(a.get(0).header(), 2, 1_000, addr(7));
    assertThat(imp(c.get(1)).outcome()).isEqualTo(Outcome.ORPHANED);
    assertThat(imp(c.get(0)).outcome()).isEqualTo(Outcome.LIGHT_BRANCH);
    assertThat(store.hasBlock(c.get(0).hash())).isFalse();
  }

  @Test
  void templateMinedIsAcceptedAsTheNewHead() {
    CompletableFuture<Mempool.Admission> f = new CompletableFuture<>();
    chain.handle(new ChainCommand.SubmitTransaction(tx(0, 4, 100, 50, 0), "test", f));
    assertThat(f.join().outcome()).isEqualTo(Mempool.Outcome.ADDED);
    CompletableFuture<Template> tf = new CompletableFuture<>();
    chain.handle(new ChainCommand.BlockTemplate(MINER, tf));
    Template t = tf.join();
    assertThat(t.fees()).isEqualTo(50);
    assertThat(t.reward()).isEqualTo(PARAMS.reward(1));
    long nonce =
        dev.cairn.chain.consensus.ProofOfWork.search(
                t.header().prefix(), t.header().bits(), 0, Long.MAX_VALUE)
            .orElseThrow();
    Block b = t.block(nonce);
    assertThat(imp(b).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertThat(chain.account(MINER)).contains(new Account(PARAMS.reward(1) + 50, 0));
  }

  @Test
  void networkStartedLongAfterGenesisMinesAtGenesisDifficultyFromBlockOne() {
    // NOW is 30 days after the genesis timestamp; templates are mined on schedule from there.
    long time = NOW;
    for (int i = 1; i <= 20; i++) {
      chain.tick(time);
      Template t = chain.template(MINER);
      assertThat(t.header().timestamp()).isEqualTo(time);
      assertThat(t.header().bits()).as("block " + i).isEqualTo(PARAMS.genesisBits());
      long nonce =
          dev.cairn.chain.consensus.ProofOfWork.search(
                  t.header().prefix(), t.header().bits(), 0, Long.MAX_VALUE)
              .orElseThrow();
      assertThat(imp(t.block(nonce)).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
      time += PARAMS.blockTimeMillis();
    }
  }

  @Test
  void branchForkingAtGenesisRetargetsFromItsOwnBlockOneAndAReorgMovesTheAnchor() {
    List<Block> a = branch(genesis(), 3, 1_000, addr(5));
    impAll(a);
    // Block 1 of b is 500 s (50 half-lives) later than a's: anchored at a's block 1, b2 would be
    // far behind schedule and need the pow limit; anchored at its own it keeps the genesis bits.
    Block b1 = mine(genesis(), 500_000, addr(6), List.of());
    List<Block> b = concat(List.of(b1), branch(b1.header(), 4, 1_000, addr(6)));
    for (Block x : b) {
      assertThat(x.header().bits()).isEqualTo(PARAMS.genesisBits());
    }
    List<ImportResult> r = reqAll(b);
    assertThat(r.get(0).outcome()).isEqualTo(Outcome.IMPORTED_SIDE);
    assertThat(r.get(3).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    assertChainIs(b);
    // After the reorg replaced block 1, the template and the head's children use b1 as anchor.
    assertThat(chain.template(MINER).header().bits()).isEqualTo(PARAMS.genesisBits());
    assertThat(imp(mine(tip(b), 1_000)).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
    // And a's branch still validates against a's block 1 when it grows back.
    List<Block> a2 = branch(tip(a), 4, 1_000, addr(5));
    List<ImportResult> ra = reqAll(a2);
    assertThat(ra).allSatisfy(x -> assertThat(x.penalise()).as(x.toString()).isFalse());
    assertThat(chain.view().headHash()).isEqualTo(tip(a2).hash());
  }

  @Test
  void answersQueries() {
    Transaction t = tx(0, 4, 100, 10, 0);
    List<Block> c = new ArrayList<>();
    c.add(mine(genesis(), 1_000, MINER, List.of(t)));
    c.addAll(branch(c.get(0).header(), 29, 1_000, MINER));
    impAll(c);

    List<Hash> locator = chain.locator();
    assertThat(locator.get(0)).isEqualTo(tip(c).hash());
    assertThat(locator.get(locator.size() - 1)).isEqualTo(genesis().hash());
    assertThat(locator.size()).isLessThan(30);

    // A peer at height 10 on our chain gets the headers after it.
    List<BlockHeader> after = chain.headersAfter(List.of(Hash.ZERO, c.get(9).hash()), 5);
    assertThat(after).extracting(BlockHeader::height).containsExactly(11L, 12L, 13L, 14L, 15L);
    assertThat(chain.headersAfter(List.of(), 1000)).hasSize(30);
    assertThat(chain.blocksByRange(28, 10))
        .extracting(Block::hash)
        .containsExactly(c.get(27).hash(), c.get(28).hash(), c.get(29).hash());
    assertThat(chain.blockAt(0).orElseThrow().hash()).isEqualTo(genesis().hash());

    CompletableFuture<java.util.Optional<TxLookup>> lf = new CompletableFuture<>();
    chain.handle(new ChainCommand.GetTransaction(t.id(), lf));
    TxLookup l = lf.join().orElseThrow();
    assertThat(l.block()).isEqualTo(c.get(0).hash());
    assertThat(l.height()).isEqualTo(1);
    assertThat(l.transaction()).isEqualTo(t);

    CompletableFuture<java.util.Optional<Block>> bf = new CompletableFuture<>();
    chain.handle(new ChainCommand.GetBlockByHeight(5, bf));
    assertThat(bf.join().orElseThrow().hash()).isEqualTo(c.get(4).hash());
    assertThat(chain.view().recentHeader(30).orElseThrow().hash()).isEqualTo(tip(c).hash());
  }

  @Test
  void refusesUseFromAnotherThread() throws Exception {
    Thread t =
        Thread.ofPlatform()
            .start(
                () ->
                    assertThatThrownBy(() -> chain.handle(new ChainCommand.Tick(NOW)))
                        .isInstanceOf(IllegalStateException.class));
    t.join();
  }

  static ImportResult importInto(ChainState c, Block b) {
    CompletableFuture<ImportResult> f = new CompletableFuture<>();
    c.handle(new ChainCommand.ImportBlock(b, "test", true, f));
    return f.join();
  }

  /**
   * {@code b} imports into {@code c} and the owner verifies none of its {@code n} signatures again:
   * all {@code n} verifications so far were done ahead, and each is found in the cache.
   */
  private static void assertImportsOnCachedSignatures(ChainState c, Block b, int n) {
    assertThat(importInto(c, b).imported()).isTrue();
    assertThat(c.signatures().verifications()).as("none verified again").isEqualTo(n);
    assertThat(c.signatures().hits()).as("all found cached").isEqualTo(n);
  }

  @Test
  void aTransactionVerifiedAheadIsNotVerifiedAgainByTheOwner() {
    ChainState c = chain;
    List<Transaction> txs = List.of(tx(0, 1, 10, 10, 0), tx(0, 1, 10, 10, 1), tx(2, 3, 5, 10, 0));
    Block b = mine(genesis(), 1_000, MINER, txs);
    for (Transaction t : txs) {
      assertThat(c.signatures().verify(t)).isTrue(); // as a sync worker would, off the owner
    }
    assertThat(c.signatures().verifications()).isEqualTo(3);

    assertImportsOnCachedSignatures(c, b, 3);
  }

  @Test
  void aBlockOfTransactionsThePoolAdmittedVerifiesNoSignatureAgain() {
    ChainState c = chain;
    List<Transaction> txs = List.of(tx(0, 1, 10, 10, 0), tx(0, 1, 10, 10, 1), tx(2, 3, 5, 10, 0));
    for (Transaction t : txs) {
      assertThat(c.submitTransaction(t).accepted()).isTrue(); // signature checked by the pool
    }
    assertThat(c.signatures().verifications()).isEqualTo(3);
    Block b = mine(genesis(), 1_000, MINER, txs);

    assertImportsOnCachedSignatures(c, b, 3);
  }

  @Test
  void aFlippedSignatureByteIsRejectedThoughTheSameTransferWasCached() {
    ChainState c = chain;
    Transaction good = tx(0, 1, 10, 10, 0);
    assertThat(c.signatures().verify(good)).isTrue();
    byte[] sig = good.signature();
    sig[5] ^= 1;
    Transaction forged = good.withSignature(sig); // same fields, same signing message
    Block b = mine(genesis(), 1_000, MINER, List.of(forged));

    ImportResult r = importInto(c, b);

    assertThat(r.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(r.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(c.signatures().verify(forged)).as("a failure is never cached").isFalse();
    assertThat(c.signatures().size()).isEqualTo(1);
  }
}
