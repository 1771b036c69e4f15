package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.CheapChain;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.sync.TestNode;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue t2-A end to end, in process: full nodes ({@link TestNode}, the production
 * wiring over a memory transport) against {@link HostileChainPeer}s that lie in their status,
 * withhold or refuse answers, and gossip valid-but-cheap or useless data. Each test names the rule
 * it pins in docs/PROTOCOL.md, "What a peer cannot make us do".
 */
@Timeout(180)
class ChainAttackTest {
  static final NetworkParams PARAMS = CheapChain.PARAMS;
  static final Address MINER = ChainFixture.Trivial.key(5).address();
  static final Address ATTACKER = ChainFixture.Trivial.key(66).address();

  /** 60 blocks on schedule (about 512 hashes each). */
  private static List<Block> honest;

  @TempDir Path dir;
  private final TestNet net = TestNet.memory();
  private int seq;

  @BeforeAll
  static void build() {
    honest = CheapChain.scheduled(PARAMS, 60, PARAMS.genesisTimestamp() + 3_600_000, MINER);
  }

  @AfterEach
  void close() {
    net.close();
  }

  private TestNode node() throws Exception {
    int n = seq++;
    return net.own(
        TestNode.start(net.transport(), dir.resolve("n" + n), 1000 + n, PARAMS, TestNode.SYNC));
  }

  /** Waits until {@code node}'s head is the honest chain's. */
  private static void awaitHonestHead(TestNode node, Duration timeout, String what) {
    Hash head = honest.getLast().hash();
    Await.until(() -> node.head().equals(head), timeout, what);
  }

  private HostileChainPeer hostile() throws IOException {
    int n = seq++;
    HostileChainPeer p =
        HostileChainPeer.start(
            PARAMS,
            TestNode.NETWORK,
            net.transport(),
            Multiaddr.parse("/ip4/127.0.0.1/tcp/0"),
            5000 + n);
    return net.own(p);
  }

  private static long now() {
    return TestNode.clock(PARAMS).millis();
  }

  private static int penalties(TestNode at, PeerId peer) {
    return at.p2p.host().standing(peer).penalties();
  }

  /**
   * True if {@code at} penalised {@code peer} or banned it (a ban starts a new standing record, so
   * the penalty count of a banned peer reads 0).
   */
  private static boolean blamed(TestNode at, PeerId peer) {
    return penalties(at, peer) > 0 || at.p2p.host().isBanned(peer);
  }

  /** True if {@code n} has transaction {@code id} (pooled or mined). */
  private static boolean knows(TestNode n, Hash id) {
    try {
      return n.chain.transaction(id).get(10, TimeUnit.SECONDS).isPresent();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long sizeOf(Path d) {
    try (Stream<Path> files = Files.walk(d)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // a file RocksDB removed while we walked
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void threeLiarsAnnouncingHugeWorkDoNotStopAFreshNodeSyncingFromOneHonestPeer() throws Exception {
    BigInteger huge = BigInteger.ONE.shiftLeft(200);
    HostileChainPeer empty = hostile().announce(1_000_000, huge).emptyHeaders();
    HostileChainPeer unavailable =
        hostile().serve(CheapChain.cheap(PARAMS, 300, now(), ATTACKER)).unavailableBlocks();
    unavailable.announce(1_000_000, huge);
    HostileChainPeer silent = hostile().announce(1_000_000, huge).withholdHeaders();
    HostileChainPeer good = hostile().serve(honest);
    TestNode fresh = node();
    for (HostileChainPeer liar : List.of(empty, unavailable, silent)) {
      liar.dial(fresh.p2p.host().fullAddress().orElseThrow());
    }
    Await.until(
        () -> empty.statusRequests.get() > 0 && unavailable.statusRequests.get() > 0,
        "the fresh node asked the liars for their status");
    good.dial(fresh.p2p.host().fullAddress().orElseThrow());

    awaitHonestHead(fresh, Duration.ofSeconds(60), "the fresh node syncs the honest chain");
    assertThat(penalties(fresh, good.id())).as("the honest peer is never penalised").isZero();
    assertThat(fresh.p2p.host().isBanned(good.id())).as("the honest peer is banned").isFalse();
    Await.until(
        () -> blamed(fresh, empty.id()) && blamed(fresh, unavailable.id()),
        Duration.ofSeconds(20),
        "the liars that announced work they could not show lose standing");
  }

  @Test
  void aNodeOnACheapLongChainReorgsFiveThousandBlocksOntoAHeavierChainAndKeepsTheHonestPeer()
      throws Exception {
    List<Block> cheap = CheapChain.cheap(PARAMS, 5_000, now(), ATTACKER);
    assertThat(CheapChain.work(cheap)).isLessThan(CheapChain.work(honest));
    TestNode victim = node();
    victim.importAll(cheap);
    assertThat(victim.height()).isEqualTo(5_000);

    HostileChainPeer good = hostile().serve(honest);
    good.dial(victim.p2p.host().fullAddress().orElseThrow());
    awaitHonestHead(
        victim, Duration.ofSeconds(90), "the victim reorgs 5,000 blocks onto the heavier chain");
    assertThat(victim.height()).isEqualTo(honest.size());
    assertThat(penalties(victim, good.id())).as("the honest peer is never penalised").isZero();
    assertThat(victim.p2p.host().isConnected(good.id())).isTrue();
  }

  /**
   * {@code n} valid side blocks on the honest chain, each a child of one of its blocks below the
   * head, stamped now and so mined at the proof-of-work limit: each one's branch has less work than
   * the head.
   */
  private static List<Block> lightSideBlocks(int n) {
    long now = now();
    long anchor = honest.getFirst().header().timestamp();
    List<Block> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Block parent = honest.get(i % (honest.size() - 1));
      out.add(CheapChain.mine(PARAMS, parent.header(), anchor, now - i, ATTACKER));
    }
    return out;
  }

  @Test
  void tenThousandCheapSideBlocksOverGossipAreNeitherStoredNorRelayed() throws Exception {
    TestNode victim = node();
    victim.importAll(honest);
    TestNode third = node();
    third.connect(victim);
    Await.until(() -> third.head().equals(victim.head()), "the third node follows the victim");
    HostileChainPeer attacker = hostile().serve(honest);
    attacker.dial(victim.p2p.host().fullAddress().orElseThrow());
    Await.until(
        () -> attacker.gossipsWith(victim.id()), "the attacker reaches the victim by gossip");
    List<Block> side = lightSideBlocks(10_000);
    Path store = dir.resolve("n0");
    long before = sizeOf(store);

    int sent = 0;
    for (Block b : side) {
      if (!attacker.isConnected(victim.id())) {
        break; // it lost its standing and was dropped: the rest would not arrive anyway
      }
      attacker.publishBlock(b).get(10, TimeUnit.SECONDS);
      sent++;
    }
    // A block that extends the head, sent last: once it is the head, the chain owner (which takes
    // gossip offers in arrival order) has judged everything sent before it.
    Block marker =
        CheapChain.mine(
            PARAMS,
            honest.getLast().header(),
            honest.getFirst().header().timestamp(),
            honest.getLast().header().timestamp() + PARAMS.blockTimeMillis(),
            MINER);
    if (attacker.isConnected(victim.id())) {
      attacker.publishBlock(marker).get(10, TimeUnit.SECONDS);
    }
    Await.until(
        () -> victim.head().equals(marker.hash()) || !victim.p2p.host().isConnected(attacker.id()),
        Duration.ofSeconds(60),
        "the victim judged the side blocks");
    long after = sizeOf(store);
    System.out.printf(
        "light side blocks: %d sent, %d judged, store %d -> %d bytes, attacker penalties %d%n",
        sent,
        victim.gossip.ignored(true) + victim.gossip.rejected(true),
        before,
        after,
        penalties(victim, attacker.id()));
    for (Block b : List.of(side.getFirst(), side.get(sent - 1))) {
      assertThat(victim.chain.block(b.hash()).get(10, TimeUnit.SECONDS)).as("stored").isEmpty();
      assertThat(third.chain.block(b.hash()).get(10, TimeUnit.SECONDS)).as("relayed").isEmpty();
    }
    assertThat(after - before).as("store growth in bytes").isLessThan(4L * 1024);
    assertThat(blamed(victim, attacker.id()))
        .as("a peer that keeps sending light side blocks loses standing")
        .isTrue();
    assertThat(victim.head())
        .as("the head is the honest chain's, with or without the marker")
        .isIn(honest.getLast().hash(), marker.hash());
  }

  @Test
  void aPeerThatGossipsBlocksWhoseAncestorsItCannotServeLosesStandingOneThatServesThemDoesNot()
      throws Exception {
    TestNode victim = node();
    victim.importAll(honest);
    HostileChainPeer unbacked = hostile(); // serves no blocks at all
    HostileChainPeer backed = hostile();
    for (HostileChainPeer p : List.of(unbacked, backed)) {
      p.dial(victim.p2p.host().fullAddress().orElseThrow());
      Await.until(() -> p.gossipsWith(victim.id()), "gossip reaches the victim");
    }
    // Block 2 of a cheap branch whose block 1 the victim does not have: an orphan, whose missing
    // ancestor the victim asks its sender for.
    for (int i = 0; i < 3; i++) {
      List<Block> branch =
          CheapChain.cheap(PARAMS, 2, now(), ChainFixture.Trivial.key(200 + i).address());
      unbacked.publishBlock(branch.get(1)).get(10, TimeUnit.SECONDS);
    }
    Await.until(
        () -> penalties(victim, unbacked.id()) >= 3 || victim.p2p.host().isBanned(unbacked.id()),
        Duration.ofSeconds(20),
        "each orphan whose ancestor its sender cannot serve costs the sender");

    List<Block> served =
        CheapChain.cheap(PARAMS, 2, now(), ChainFixture.Trivial.key(210).address());
    backed.serve(served);
    backed.publishBlock(served.get(1)).get(10, TimeUnit.SECONDS);
    Await.until(
        () -> backed.blocksServed.get() > 0, "the victim fetched the ancestor from its sender");
    assertThat(penalties(victim, backed.id()))
        .as("a sender that serves the ancestors pays nothing (the branch is light, ours to ignore)")
        .isZero();
    assertThat(victim.p2p.host().isBanned(backed.id())).isFalse();
    assertThat(victim.head()).isEqualTo(honest.getLast().hash());
  }

  @Test
  void aFloodOfGapAndUnfundedTransactionsDoesNotKeepOutAnHonestOne() throws Exception {
    TestNode victim = node();
    TestNode third = node();
    TestNode sender = node();
    third.connect(victim);
    sender.connect(victim);
    HostileChainPeer attacker = hostile();
    attacker.dial(victim.p2p.host().fullAddress().orElseThrow());
    Await.until(
        () ->
            attacker.gossipsWith(victim.id())
                && third
                    .router
                    .meshPeers(dev.cairn.node.gossip.NodeGossip.txsTopic(TestNode.NETWORK))
                    .contains(victim.id()),
        Duration.ofSeconds(20),
        "meshes formed");

    SigningKey funded = ChainFixture.Trivial.key(1);
    Address to = ChainFixture.Trivial.key(9).address();
    List<Transaction> flood = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      flood.add(
          ChainFixture.Trivial.tx(funded, to, 1, 10, 10 + i)); // nonce gaps: never minable now
    }
    for (int i = 0; i < 1_000; i++) {
      flood.add(
          ChainFixture.Trivial.tx(
              ChainFixture.Trivial.key(100 + i), to, 1, 10, 0)); // unfunded senders
    }
    for (Transaction tx : flood) {
      attacker.publishTransaction(tx).get(10, TimeUnit.SECONDS);
    }
    Transaction good = ChainFixture.Trivial.tx(ChainFixture.Trivial.key(0), to, 5, 1, 0);
    var admission = sender.gossip.submitTransaction(good).get(10, TimeUnit.SECONDS);
    assertThat(admission.accepted()).isTrue();
    Await.until(
        () -> knows(third, good.id()),
        Duration.ofSeconds(20),
        "the honest transaction reaches the third node through the victim");
    var atVictim = victim.chain.transaction(good.id()).get(10, TimeUnit.SECONDS);
    assertThat(atVictim).as("the honest transaction in the victim's pool").isPresent();
    for (Transaction tx : List.of(flood.getFirst(), flood.getLast())) {
      assertThat(third.chain.transaction(tx.id()).get(10, TimeUnit.SECONDS))
          .as("a flood transaction was relayed")
          .isEmpty();
    }
  }
}
