package dev.cairn.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.testing.Await;
import dev.cairn.testing.LogCapture;
import dev.cairn.testing.MemoryTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sync between full in-memory nodes: late joiners, forks, other genesis, hostile peers. */
@Timeout(120)
class SyncNetworkTest {
  static final NetworkParams PARAMS = ChainFixture.Trivial.PARAMS;
  static final Address MINER = ChainFixture.Trivial.key(5).address();
  static final Address OTHER_MINER = ChainFixture.Trivial.key(6).address();

  private static List<Block> chain500;

  @TempDir Path dir;
  private final MemoryTransport net = new MemoryTransport();
  private final List<TestNode> nodes = new ArrayList<>();
  private int seq;

  @AfterEach
  void close() {
    nodes.forEach(TestNode::close);
  }

  private TestNode node(SyncConfig config) throws Exception {
    return node(PARAMS, config, ChainBlockSource::new);
  }

  private TestNode node(
      NetworkParams params,
      SyncConfig config,
      java.util.function.Function<ChainService, BlockSource> source)
      throws Exception {
    int n = seq++;
    TestNode t = TestNode.start(net, dir.resolve("n" + n), 1000 + n, params, config, source);
    nodes.add(t);
    return t;
  }

  /** {@code n} blocks after {@code parent}, on schedule, paying {@code miner}. */
  static List<Block> build(BlockHeader parent, int n, Address miner, List<Transaction> firstTxs) {
    List<Block> out = new ArrayList<>();
    BlockHeader p = parent;
    for (int i = 0; i < n; i++) {
      Block b = ChainFixture.mine(PARAMS, p, miner, i == 0 ? firstTxs : List.of());
      out.add(b);
      p = b.header();
    }
    return out;
  }

  static synchronized List<Block> chain500() {
    if (chain500 == null) {
      chain500 = build(PARAMS.genesisHeader(), 500, MINER, List.of());
    }
    return chain500;
  }

  @Test
  void lateJoinerSyncsA500BlockChainFromSeveralPeers() throws Exception {
    List<Block> blocks = chain500();
    List<TestNode> full = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestNode t = node(TestNode.SYNC);
      t.importAll(blocks);
      full.add(t);
    }
    TestNode late = node(TestNode.SYNC);
    for (TestNode t : full) {
      late.connect(t);
    }
    Hash head = blocks.getLast().hash();
    Await.until(() -> late.head().equals(head), Duration.ofSeconds(60), "late joiner at 500");
    // the round counts a batch when the chain's answer reaches it, just after the head moved
    Await.until(() -> late.sync.blocksImported() >= 500, "the round counted its imports");
    assertThat(late.sync.blocksImported()).isGreaterThanOrEqualTo(500);
    Await.until(
        () -> late.sync.status().state() == SyncStatus.State.IDLE, "sync idle after catching up");
    assertThat(late.sync.status().headHeight()).isEqualTo(500);
  }

  @Test
  void peerWithAnotherGenesisIsRefusedWithTheReasonLoggedOnBothSides() throws Exception {
    NetworkParams other = PARAMS.withChainId(PARAMS.chainId() + 1);
    try (LogCapture log = LogCapture.of(SyncManager.class)) {
      TestNode a = node(TestNode.SYNC);
      TestNode b = node(other, TestNode.SYNC, ChainBlockSource::new);
      a.connect(b);
      String aRefusesB = "Refusing peer " + b.id() + ": genesis " + b.chain.view().genesis();
      String bRefusesA = "Refusing peer " + a.id() + ": genesis " + a.chain.view().genesis();
      Await.until(
          () -> log.contains(aRefusesB) && log.contains(bRefusesA),
          Duration.ofSeconds(10),
          "both sides log the refusal: " + log.lines());
      assertThat(log.lines())
          .anyMatch(l -> l.contains(aRefusesB + " differs from ours " + a.chain.view().genesis()));
      Await.until(
          () -> a.p2p.host().isBanned(b.id()) && !a.p2p.host().isConnected(b.id()),
          "a bans and drops b");
      // whichever side disconnected first, the refusal is mutual and so is the ban
      Await.until(() -> b.p2p.host().isBanned(a.id()), "b bans a");
      assertThat(a.sync.status().peers()).isZero();
    }
  }

  @Test
  void groupsThatBuiltApartConvergeOnTheHeavierChainAndLosingTransactionsReturnToTheMempool()
      throws Exception {
    Transaction tx =
        ChainFixture.Trivial.tx(
            ChainFixture.Trivial.key(0), ChainFixture.Trivial.key(1).address(), 1_000, 5, 0);
    List<Block> heavy = build(PARAMS.genesisHeader(), 30, MINER, List.of());
    List<Block> light = build(PARAMS.genesisHeader(), 20, OTHER_MINER, List.of(tx));
    TestNode a0 = node(TestNode.SYNC);
    TestNode a1 = node(TestNode.SYNC);
    TestNode b0 = node(TestNode.SYNC);
    TestNode b1 = node(TestNode.SYNC);
    a0.importAll(heavy);
    b0.importAll(light);
    a1.connect(a0);
    b1.connect(b0);
    Await.until(() -> a1.head().equals(a0.head()), Duration.ofSeconds(20), "group a agrees");
    Await.until(() -> b1.head().equals(b0.head()), Duration.ofSeconds(20), "group b agrees");
    assertThat(b1.chain.transaction(tx.id()).get(5, TimeUnit.SECONDS).orElseThrow().pending())
        .isFalse();

    b0.connect(a0);
    Hash winner = heavy.getLast().hash();
    for (TestNode t : nodes) {
      Await.until(() -> t.head().equals(winner), Duration.ofSeconds(30), "all on the heavy chain");
    }
    for (TestNode t : List.of(b0, b1)) {
      Await.until(
          () -> {
            var found = t.chain.transaction(tx.id()).join();
            return found.isPresent() && found.get().pending();
          },
          Duration.ofSeconds(10),
          "the losing branch's transaction is pending again");
    }
  }

  /** The test network with genesis bits 2^8 above the limit, so blocks stamped late are cheap. */
  static NetworkParams variableWork() {
    return PARAMS.withGenesisBits(0x1f7fffff);
  }

  static List<Block> build(NetworkParams p, int n, long gap, Address miner) {
    return ChainFixture.branch(p, p.genesisHeader(), n, gap, miner);
  }

  @Test
  void aNodeOnACheapLongChainFollowsAHeavierShorterChainItMeets() throws Exception {
    NetworkParams p = variableWork();
    // 300 blocks stamped 100 s apart: from block 3 on each sits at the easiest target.
    List<Block> cheap = build(p, 300, 100_000, OTHER_MINER);
    // 12 blocks on schedule: each about 2^8 times the work of a cheap one.
    List<Block> heavy = build(p, 12, 1_000, MINER);
    TestNode a = node(p, TestNode.SYNC, ChainBlockSource::new);
    TestNode b = node(p, TestNode.SYNC, ChainBlockSource::new);
    a.importAll(cheap);
    b.importAll(heavy);
    assertThat(b.chain.view().cumulativeWork()).isGreaterThan(a.chain.view().cumulativeWork());
    assertThat(b.height()).isLessThan(a.height());
    a.connect(b);
    Hash winner = heavy.getLast().hash();
    Await.until(
        () -> a.head().equals(winner), Duration.ofSeconds(30), "a follows the heavier chain");
    assertThat(b.head()).isEqualTo(winner);
    // The honest, heavier peer paid nothing for it.
    assertThat(a.sync.count(SyncCounter.UNPROVEN_CLAIMS)).isZero();
    assertThat(a.sync.count(SyncCounter.INVALID_RESPONSES)).isZero();
    assertThat(a.p2p.host().isBanned(b.id())).isFalse();
    assertThat(a.p2p.host().isConnected(b.id())).isTrue();
  }

  /**
   * Answers from the chain as {@link ChainBlockSource} does; a hostile source changes one answer.
   */
  abstract static class ForwardingSource implements BlockSource {
    final ChainBlockSource honest;

    ForwardingSource(ChainService chain) {
      this.honest = new ChainBlockSource(chain);
    }

    @Override
    public SyncMessage.Status status() {
      return honest.status();
    }

    @Override
    public List<BlockHeader> headersAfter(List<Hash> locator, int max) throws IOException {
      return honest.headersAfter(locator, max);
    }

    @Override
    public List<Block> blocksByHash(List<Hash> hashes) throws IOException {
      return honest.blocksByHash(hashes);
    }

    @Override
    public List<Block> blocksByRange(long start, int count) throws IOException {
      return honest.blocksByRange(start, count);
    }
  }

  /** Serves the chain, but puts a transaction into one block of each batch (a bad Merkle root). */
  static final class CorruptingSource extends ForwardingSource {
    final AtomicInteger corrupted = new AtomicInteger();

    CorruptingSource(ChainService chain) {
      super(chain);
    }

    @Override
    public List<Block> blocksByHash(List<Hash> hashes) throws IOException {
      List<Block> blocks = new ArrayList<>(honest.blocksByHash(hashes));
      if (blocks.size() > 1) {
        int i = blocks.size() / 2;
        Transaction extra =
            ChainFixture.Trivial.tx(
                ChainFixture.Trivial.key(0), ChainFixture.Trivial.key(1).address(), 1, 1, 0);
        blocks.set(i, new Block(blocks.get(i).header(), List.of(extra)));
        corrupted.incrementAndGet();
      }
      return blocks;
    }
  }

  @Test
  void peerServingInvalidBlocksInABatchIsPenalisedAndTheBatchRefetchedElsewhere() throws Exception {
    List<Block> blocks = chain500().subList(0, 200);
    TestNode honest = node(TestNode.SYNC);
    honest.importAll(blocks);
    List<CorruptingSource> hostile = new ArrayList<>();
    TestNode bad =
        node(
            PARAMS,
            TestNode.SYNC,
            c -> {
              CorruptingSource s = new CorruptingSource(c);
              hostile.add(s);
              return s;
            });
    bad.importAll(blocks);
    TestNode fresh = node(TestNode.SYNC);
    fresh.connect(bad);
    fresh.connect(honest);
    Hash head = blocks.getLast().hash();
    Await.until(() -> fresh.head().equals(head), Duration.ofSeconds(60), "synced despite");
    assertThat(hostile.getFirst().corrupted.get()).isPositive();
    assertThat(fresh.sync.count(SyncCounter.INVALID_RESPONSES)).isPositive();
    assertThat(fresh.sync.count(SyncCounter.REFETCHES)).isPositive();
  }

  /** Serves headers, then never answers a block request (until released). */
  static final class SilentSource extends ForwardingSource {
    final CountDownLatch release;
    final AtomicInteger hung = new AtomicInteger();

    SilentSource(ChainService chain, CountDownLatch release) {
      super(chain);
      this.release = release;
    }

    @Override
    public List<Block> blocksByHash(List<Hash> hashes) throws IOException {
      hung.incrementAndGet();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("silent");
    }
  }

  @Test
  void peerThatStopsAnsweringMidSyncDoesNotStallTheNodeBeyondTheStallBound() throws Exception {
    // Request timeouts longer than the test: only the stall detector can free the round.
    Duration stall = Duration.ofSeconds(2);
    SyncConfig config =
        TestNode.SYNC.withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(90), stall);
    List<Block> blocks = chain500().subList(0, 200);
    CountDownLatch release = new CountDownLatch(1);
    try {
      List<SilentSource> silent = new ArrayList<>();
      TestNode mute =
          node(
              PARAMS,
              config,
              c -> {
                SilentSource s = new SilentSource(c, release);
                silent.add(s);
                return s;
              });
      mute.importAll(blocks);
      TestNode honest = node(config);
      honest.importAll(blocks);
      TestNode fresh = node(config);
      fresh.connect(mute);
      fresh.connect(honest);
      Hash head = blocks.getLast().hash();
      long started = System.nanoTime();
      Await.until(
          () -> fresh.head().equals(head), Duration.ofSeconds(40), "synced past a mute peer");
      assertThat(silent.getFirst().hung.get()).isPositive();
      assertThat(fresh.sync.count(SyncCounter.STALLS)).isPositive();
      // Each stall costs at most the bound (plus a tick); the rest is fast in-memory sync.
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(stall.multipliedBy(3).plusSeconds(10));
    } finally {
      release.countDown();
    }
  }

  @Test
  void syncVerifiesSignaturesAheadSoTheChainOwnerFindsThemInTheCache() throws Exception {
    List<Block> blocks = new ArrayList<>();
    BlockHeader p = PARAMS.genesisHeader();
    long nonce = 0;
    for (int i = 0; i < 40; i++) {
      List<Transaction> txs = new ArrayList<>();
      for (int k = 0; k < 5; k++) {
        txs.add(
            ChainFixture.Trivial.tx(
                ChainFixture.Trivial.key(0),
                ChainFixture.Trivial.key(1).address(),
                10,
                1,
                nonce++));
      }
      Block b = ChainFixture.mine(PARAMS, p, MINER, txs);
      blocks.add(b);
      p = b.header();
    }
    TestNode full = node(TestNode.SYNC);
    full.importAll(blocks);
    TestNode fresh = node(TestNode.SYNC);
    fresh.connect(full);
    Hash head = blocks.getLast().hash();
    Await.until(() -> fresh.head().equals(head), Duration.ofSeconds(60), "synced 40 blocks");
    // each signature verified once, ahead on the verifier threads; the owner's checks all hit
    assertThat(fresh.chain.signatures().verifications()).isEqualTo(200);
    assertThat(fresh.chain.signatures().hits()).isGreaterThanOrEqualTo(200);
  }
}
