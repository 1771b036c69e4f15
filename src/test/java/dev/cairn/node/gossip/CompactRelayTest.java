package dev.cairn.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.HostileChainPeer;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.TestNode;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compact block relay between full in-memory nodes ({@link TestNode}) and crafted announcers
 * ({@link HostileChainPeer}): rebuilding from the mempool, fetching the missing transactions,
 * short-id collisions, withholding announcers, and proof of work before any fetch.
 */
@Timeout(120)
class CompactRelayTest {
  static final NetworkParams PARAMS = ChainFixture.Trivial.PARAMS;
  static final Address MINER = ChainFixture.Trivial.key(5).address();
  static final SigningKey KEY0 = ChainFixture.Trivial.key(0);
  static final SigningKey KEY1 = ChainFixture.Trivial.key(1);
  static final String BLOCKS = NodeGossip.blocksTopic(TestNode.NETWORK);

  /** No status refresh: a block may reach a node only by gossip (and the fetches it causes). */
  static final SyncConfig QUIET = TestNode.SYNC.withStatusRefresh(Duration.ofMinutes(5));

  @TempDir Path dir;
  private final TestNet net = TestNet.memory();
  private int seq;

  @AfterEach
  void close() {
    net.close();
  }

  private TestNode node() throws Exception {
    int n = seq++;
    return net.own(TestNode.start(net.transport(), dir.resolve("n" + n), 3000 + n, PARAMS, QUIET));
  }

  /** A crafted announcer serving {@code block}, its status saying genesis (so nobody syncs). */
  private HostileChainPeer announcer(Block block) throws Exception {
    int n = seq++;
    HostileChainPeer p =
        net.own(
            HostileChainPeer.start(
                PARAMS,
                TestNode.NETWORK,
                net.transport(),
                Multiaddr.parse("/ip4/127.0.0.1/tcp/0"),
                7000 + n));
    p.serve(List.of(block));
    p.announce(0, BigInteger.ONE);
    return p;
  }

  /** {@code p} and {@code to} connected, each knowing the other on the blocks topic. */
  private static void join(HostileChainPeer p, TestNode to) throws Exception {
    p.dial(to.p2p.host().fullAddress().orElseThrow());
    Await.until(
        () -> p.gossipsWith(to.id()) && to.router.topicPeers(BLOCKS).contains(p.id()),
        Duration.ofSeconds(20),
        "the crafted peer and the node know each other's topics");
  }

  private static List<Transaction> payments(SigningKey from, Address to, int n) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      txs.add(ChainFixture.Trivial.tx(from, to, 10 + i, 1, i));
    }
    return txs;
  }

  private static void pool(TestNode n, List<Transaction> txs) throws Exception {
    for (Transaction tx : txs) {
      assertThat(n.chain.submitTransaction(tx).get(10, TimeUnit.SECONDS).accepted()).isTrue();
    }
  }

  private static Block mine(List<Transaction> txs) {
    return ChainFixture.mine(PARAMS, PARAMS.genesisHeader(), MINER, txs);
  }

  private static int penalties(TestNode at, PeerId peer) {
    return at.p2p.host().standing(peer).penalties();
  }

  @Test
  void aCompactBlockIsRebuiltFromTheMempoolFetchingOnlyWhatIsMissingAndRelayedCompact()
      throws Exception {
    TestNode a = node();
    TestNode b = node();
    TestNode c = node();
    b.connect(a);
    c.connect(b);
    Await.until(
        () ->
            b.router.meshPeers(BLOCKS).containsAll(List.of(a.id(), c.id()))
                && c.router.meshPeers(BLOCKS).contains(b.id()),
        Duration.ofSeconds(20),
        "a-b-c meshed");
    List<Transaction> txs = payments(KEY0, KEY1.address(), 10);
    pool(a, txs);
    // b and c saw the first six by gossip, not the last four
    pool(b, txs.subList(0, 6));
    pool(c, txs.subList(0, 6));
    Block block = a.mineAndPublish(MINER);
    assertThat(block.transactions()).containsExactlyElementsOf(txs);
    Await.until(() -> c.head().equals(block.hash()), Duration.ofSeconds(20), "c follows");
    assertThat(b.head()).isEqualTo(block.hash());
    for (TestNode n : List.of(b, c)) {
      CompactRelay r = n.gossip.relay();
      assertThat(r.stats().rebuilt()).as("rebuilt").isEqualTo(1);
      assertThat(r.stats().fromPool()).as("from the mempool").isEqualTo(6);
      assertThat(r.stats().fetched()).as("fetched by block_txs").isEqualTo(4);
      assertThat(r.stats().fullBlocks()).as("whole blocks").isZero();
      // (the verdict is counted after the import that moved the head)
      Await.until(() -> n.gossip.accepted(true) == 1, "the announcement accepted");
    }
    // c's only peer is b: b relayed the compact announcement and served c's block_txs
    assertThat(penalties(c, b.id())).isZero();
    assertThat(penalties(b, a.id())).isZero();
  }

  /**
   * A transaction paying {@code to} from {@code from} at {@code nonce} whose {@code width}-byte
   * short id in {@code block} is {@code target} (found by trying amounts).
   */
  private static Transaction collidingWith(
      long target, Block block, int width, SigningKey from, Address to, long nonce) {
    ShortIds ids = ShortIds.of(block.hash(), width);
    for (long amount = 1000; ; amount++) {
      Transaction tx = ChainFixture.Trivial.tx(from, to, amount, 5, nonce);
      if (ids.of(tx.id()) == target && !block.transactions().contains(tx)) {
        return tx;
      }
    }
  }

  /** The block's short ids of {@code width} bytes, checked to be distinct within the block. */
  private static long[] distinctShortIds(Block block, int width) {
    long[] s = CompactBlock.of(block, width).shortIds();
    Set<Long> seen = new HashSet<>();
    for (long x : s) {
      assertThat(seen.add(x)).as("short ids distinct within the test block").isTrue();
    }
    return s;
  }

  @Test
  void aShortIdSharedByTwoPooledTransactionsIsFetchedNotGuessed() throws Exception {
    TestNode b = node();
    List<Transaction> txs = payments(KEY0, KEY1.address(), 8);
    Block block = mine(txs);
    long[] sids = distinctShortIds(block, 1);
    // b pools the block's first five and, with a higher fee (so it comes first), a transaction
    // outside the block whose 1-byte short id is that of the block's transaction 0
    Transaction twin = collidingWith(sids[0], block, 1, KEY1, KEY0.address(), 0);
    pool(b, List.of(twin));
    pool(b, txs.subList(0, 5));
    HostileChainPeer w = announcer(block);
    join(w, b);
    w.publishBlockBytes(CompactCodec.encode(CompactBlock.of(block, 1))).get(5, TimeUnit.SECONDS);
    Await.until(() -> b.head().equals(block.hash()), Duration.ofSeconds(20), "b imports it");
    CompactRelay r = b.gossip.relay();
    assertThat(r.stats().fetched()).as("index 0 (ambiguous) and 5..7 (missing)").isEqualTo(4);
    assertThat(r.stats().fromPool()).isEqualTo(4);
    assertThat(r.stats().rebuilt()).isEqualTo(1);
    assertThat(r.stats().fullBlocks()).as("no whole-block fallback was needed").isZero();
    assertThat(penalties(b, w.id())).isZero();
  }

  @Test
  void aCollisionWithAPooledTransactionOutsideTheBlockFallsBackToTheWholeBlockWithoutBlame()
      throws Exception {
    TestNode b = node();
    List<Transaction> txs = payments(KEY0, KEY1.address(), 8);
    Block block = mine(txs);
    long[] sids = distinctShortIds(block, 1);
    // b lacks the block's transaction 7 but pools another with its short id: the rebuilt body is
    // wrong, which only the Merkle root shows
    Transaction impostor = collidingWith(sids[7], block, 1, KEY1, KEY0.address(), 0);
    pool(b, txs.subList(0, 5));
    pool(b, List.of(impostor));
    HostileChainPeer w = announcer(block);
    join(w, b);
    w.publishBlockBytes(CompactCodec.encode(CompactBlock.of(block, 1))).get(5, TimeUnit.SECONDS);
    Await.until(() -> b.head().equals(block.hash()), Duration.ofSeconds(20), "b imports it");
    CompactRelay r = b.gossip.relay();
    assertThat(r.stats().rebuilt()).isZero();
    assertThat(r.stats().fullBlocks()).as("the whole block from the announcer").isEqualTo(1);
    assertThat(r.stats().fetchedElsewhere()).isZero();
    assertThat(penalties(b, w.id())).as("our collision is not the announcer's fault").isZero();
    assertThat(b.p2p.host().isBanned(w.id())).isFalse();
  }

  /**
   * An announcer that answers {@code script} for its block is penalised at b, which gets the block
   * from a (which holds it and never published it).
   */
  private void withheld(java.util.function.Consumer<HostileChainPeer> script, int penalty)
      throws Exception {
    TestNode a = node();
    TestNode b = node();
    b.connect(a);
    Await.until(
        () -> b.sync.statusAnswers() >= 1 && a.sync.statusAnswers() >= 1, "status exchanged");
    Await.until(
        () -> b.router.topicPeers(BLOCKS).contains(a.id()), Duration.ofSeconds(20), "topics");
    List<Transaction> txs = payments(KEY0, KEY1.address(), 6);
    Block block = mine(txs);
    a.importAll(List.of(block));
    HostileChainPeer w = announcer(block);
    script.accept(w);
    join(w, b);
    w.publishBlockBytes(CompactCodec.encode(CompactBlock.of(block))).get(5, TimeUnit.SECONDS);
    Await.until(() -> b.head().equals(block.hash()), Duration.ofSeconds(20), "b gets the block");
    Await.until(
        () -> penalties(b, w.id()) > 0 || b.p2p.host().isBanned(w.id()), "the announcer pays");
    assertThat(b.p2p.host().standing(w.id()).points()).isLessThanOrEqualTo(-penalty);
    assertThat(b.gossip.relay().stats().fetchedElsewhere()).isEqualTo(1);
    assertThat(penalties(b, a.id())).isZero();
  }

  @Test
  void anAnnouncerThatSendsOtherTransactionsIsPenalisedAndTheBlockFetchedFromAnotherPeer()
      throws Exception {
    List<Transaction> others = payments(KEY1, KEY0.address(), 6);
    withheld(
        w -> w.blocks(hashes -> List.of(new Block(w.chain().getFirst().header(), others))),
        CompactRelay.WRONG_PENALTY);
  }

  @Test
  void anAnnouncerThatNeverAnswersIsPenalisedAndTheBlockFetchedFromAnotherPeer() throws Exception {
    withheld(HostileChainPeer::withholdBlocks, CompactRelay.WITHHELD_PENALTY);
  }

  @Test
  void aCompactAnnouncementWithoutProofOfWorkIsRejectedBeforeAnyFetch() throws Exception {
    TestNode b = node();
    Block block = mine(payments(KEY0, KEY1.address(), 4));
    BlockHeader noWork = null;
    for (long nonce = 0; noWork == null; nonce++) {
      BlockHeader h = block.header().withNonce(nonce);
      if (!ProofOfWork.meetsTarget(h)) {
        noWork = h;
      }
    }
    Block fake = new Block(noWork, block.transactions());
    HostileChainPeer w = announcer(fake);
    join(w, b);
    w.publishBlockBytes(CompactCodec.encode(CompactBlock.of(fake))).get(5, TimeUnit.SECONDS);
    Await.until(() -> b.gossip.rejected(true) == 1, "b rejects the announcement");
    Await.until(() -> b.p2p.host().isBanned(w.id()), "and bans its sender");
    assertThat(w.blockRequests.get()).as("block_txs or blocks_by_hash requests").isZero();
    assertThat(b.gossip.relay().stats().fetched()).isZero();
    assertThat(b.gossip.relay().stats().fullBlocks()).isZero();
  }
}
