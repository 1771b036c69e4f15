package dev.cairn.node.sync;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.SyncWorld.TestPeer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SyncState} stepped on the test thread with crafted peers ({@link SyncWorld}): one test per
 * rule; each fails when its rule is taken out.
 */
@Timeout(60)
class SyncStateTest {
  /** 40 blocks on schedule: about 512 work each. */
  static final List<Block> HEAVY = branch(genesis(), 40, 1_000, MINER);

  /** 600 blocks stamped 100 s apart: after block 2 each is at the limit, about 2 work. */
  static final List<Block> CHEAP = branch(genesis(), 600, 100_000, addr(6));

  /** 5 blocks on schedule from genesis, another miner: heavier than all of {@link #CHEAP}. */
  static final List<Block> HEAVY_SHORT = branch(genesis(), 8, 1_001, addr(5));

  static final BigInteger HUGE = BigInteger.TEN.pow(30);

  SyncWorld world = new SyncWorld();

  @AfterEach
  void bodiesWereOnlyEverAskedForAProvenChain() {
    assertThat(world.unprovenBodyRequests).isZero();
  }

  static BlockHeader remine(BlockHeader h) {
    return h.withNonce(ProofOfWork.search(h.prefix(), h.bits(), 0, Long.MAX_VALUE).orElseThrow());
  }

  @Test
  void threeLiarsAnnouncingHugeWorkDoNotStopSyncFromOneHonestPeer() {
    world = new SyncWorld(PARAMS, SyncConfig.defaults().withPresync(3, 50_000));
    TestPeer empty = world.peer(1, HEAVY);
    empty.claim = HUGE;
    empty.emptyHeaders = true;
    TestPeer invalid = world.peer(2, HEAVY);
    invalid.claim = HUGE;
    invalid.badHeader = remine(HEAVY.get(4).header().withBits(PARAMS.powLimitBits()));
    TestPeer silent = world.peer(3, HEAVY);
    silent.claim = HUGE;
    silent.withholdHeaders = true;
    TestPeer honest = world.peer(4, HEAVY);
    for (TestPeer p : List.of(empty, invalid, silent)) {
      world.connect(p);
    }
    world.connect(honest);
    world.run();

    assertThat(world.chain.head.header()).isEqualTo(HEAVY.getLast().header());
    assertThat(world.penaltiesOf(honest)).isEmpty();
    assertThat(world.penaltiesOf(empty))
        .anyMatch(x -> x.points() == SyncState.UNPROVEN_WORK_PENALTY);
    assertThat(world.penaltiesOf(invalid))
        .anyMatch(x -> x.points() == SyncFailure.Kind.INVALID.penalty());
    assertThat(world.state.avoided(empty.id)).isTrue();
    assertThat(world.state.avoided(invalid.id)).isTrue();
    assertThat(world.blockRequests).noneMatch(r -> r.peer().equals(empty.id));
    assertThat(world.blockRequests).noneMatch(r -> r.peer().equals(invalid.id));
  }

  @Test
  void emptyHeadersWhileClaimingMoreWorkCostStandingAndTheTurnAndTheThirdTimeABan() {
    world.chain.importAll(HEAVY.subList(0, 10));
    TestPeer liar = world.peer(1, HEAVY);
    liar.claim = HUGE;
    liar.emptyHeaders = true;
    world.connect(liar);
    world.run();
    assertThat(world.penaltiesOf(liar))
        .singleElement()
        .satisfies(p -> assertThat(p.points()).isEqualTo(SyncState.UNPROVEN_WORK_PENALTY));
    assertThat(world.state.avoided(liar.id)).isTrue();
    // Not asked again during the cool-down, whatever its status says.
    world.advance(world.config.peerCooldown().minusSeconds(1));
    assertThat(world.headerRequests).hasSize(1);
    world.advance(Duration.ofSeconds(2));
    assertThat(world.headerRequests).hasSize(2);
    assertThat(world.bans).isEmpty();
    world.advance(world.config.peerCooldown().plusSeconds(1));
    assertThat(world.headerRequests).hasSize(3);
    assertThat(world.bans).containsExactly(liar.id);
  }

  @Test
  void theSourceAnsweringUnavailableForItsOwnHeaderChainIsDroppedOthersAreNot() {
    TestPeer liar = world.peer(1, HEAVY);
    liar.unavailableBodies = true;
    TestPeer other = world.peer(2, CHEAP); // asked for bodies too: it has not got them
    world.connect(liar);
    world.connect(other);
    world.run();
    assertThat(world.bodyRequestsFor(HEAVY)).anyMatch(r -> r.peer().equals(liar.id));
    assertThat(world.penaltiesOf(liar))
        .anyMatch(p -> p.points() == SyncState.UNPROVEN_WORK_PENALTY);
    assertThat(world.state.avoided(liar.id)).isTrue();
    assertThat(world.penaltiesOf(other)).isEmpty();
    // Its heavy chain is not ours; an honest peer that has it brings it.
    assertThat(world.chain.head.header()).isNotEqualTo(HEAVY.getLast().header());
    TestPeer honest = world.peer(3, HEAVY);
    world.connect(honest);
    world.run();
    assertThat(world.chain.head.header()).isEqualTo(HEAVY.getLast().header());
    assertThat(world.penaltiesOf(honest)).isEmpty();
    assertThat(world.penaltiesOf(other)).isEmpty();
  }

  @Test
  void headersEndingBelowTheClaimAndOurWorkAreALieAboveOurWorkTheyAreFollowed() {
    world.chain.importAll(HEAVY.subList(0, 20));
    TestPeer liar = world.peer(1, CHEAP); // a long cheap chain: less work than our 20 blocks
    liar.claim = HUGE;
    TestPeer boaster = world.peer(2, HEAVY); // claims more than it has, but has more than us
    boaster.claim = HUGE;
    world.connect(liar);
    world.connect(boaster);
    world.run();
    assertThat(world.penaltiesOf(liar))
        .anyMatch(p -> p.points() == SyncState.UNPROVEN_WORK_PENALTY);
    assertThat(world.bodyRequestsFor(CHEAP)).isEmpty();
    assertThat(world.penaltiesOf(boaster)).isEmpty();
    assertThat(world.chain.head.header()).isEqualTo(HEAVY.getLast().header());
    // Its claim is capped where its headers ended: no second look for the same head (which
    // would find nothing after our head and count as a lie).
    long asked = world.headerRequests.stream().filter(r -> r.peer().equals(boaster.id)).count();
    world.advance(world.config.statusRefresh().multipliedBy(2));
    assertThat(world.headerRequests.stream().filter(r -> r.peer().equals(boaster.id)))
        .hasSize((int) asked);
    assertThat(world.penaltiesOf(boaster)).isEmpty();
  }

  @Test
  void aCheapChainFirstThenAHeavierShorterChainWhoseHeadersBeatOursIsFollowed() {
    TestPeer cheap = world.peer(1, CHEAP);
    world.connect(cheap);
    world.run();
    assertThat(world.chain.head.header()).isEqualTo(CHEAP.getLast().header());
    // The honest peer's chain forks at genesis; its own block 1 anchors its difficulty.
    TestPeer honest = world.peer(2, HEAVY_SHORT);
    assertThat(honest.work()).isGreaterThan(world.chain.head.work());
    assertThat(HEAVY_SHORT.getFirst().header().timestamp())
        .isNotEqualTo(CHEAP.getFirst().header().timestamp());
    world.connect(honest);
    world.run();
    assertThat(world.chain.head.header()).isEqualTo(HEAVY_SHORT.getLast().header());
    assertThat(world.bodyRequestsFor(HEAVY_SHORT)).isNotEmpty();
    assertThat(world.penaltiesOf(honest)).isEmpty();
    assertThat(world.penaltiesOf(cheap)).isEmpty();
    assertThat(world.bans).isEmpty();
  }

  @Test
  void aHeavierChainReplacesTheSourceMidRound() {
    TestPeer cheap = world.peer(1, CHEAP);
    world.connect(cheap);
    // Deliver only the first few answers: the cheap round is under way.
    for (int i = 0; i < 6; i++) {
      world.pending.poll().run();
    }
    assertThat(world.state.source()).isEqualTo(cheap.id);
    TestPeer honest = world.peer(2, HEAVY_SHORT);
    world.connect(honest);
    world.run();
    assertThat(world.chain.head.header()).isEqualTo(HEAVY_SHORT.getLast().header());
    // The rest of the cheap chain was not downloaded.
    assertThat(world.bodyRequestsFor(CHEAP.subList(500, 600))).isEmpty();
    assertThat(world.penaltiesOf(honest)).isEmpty();
  }

  @Test
  void bodiesAreFetchedOnlyOnceTheHeadersShowMoreWorkThanOurs() {
    world.state.headersPerRequest(50);
    world.chain.importAll(HEAVY.subList(0, 3));
    TestPeer cheap = world.peer(1, CHEAP); // more work than ours, but only after ~260 headers
    world.connect(cheap);
    world.run();
    assertThat(world.chain.head.header()).isEqualTo(CHEAP.getLast().header());
    assertThat(world.headerRequests.size()).isGreaterThan(6);
    // (the check after each test: no body request before the headers beat our work)
    assertThat(world.penalties).isEmpty();
  }

  @Test
  void headersWithTheWrongDifficultyOrAnEarlyTimestampAreRefused() {
    TestPeer badBits = world.peer(1, HEAVY);
    badBits.badHeader = remine(HEAVY.get(4).header().withBits(PARAMS.powLimitBits()));
    BlockHeader h = HEAVY.get(14).header();
    TestPeer early = world.peer(2, HEAVY);
    early.badHeader =
        remine(
            new BlockHeader(
                h.version(),
                h.height(),
                h.parent(),
                h.merkleRoot(),
                h.miner(),
                HEAVY.get(5).header().timestamp(),
                h.bits(),
                0));
    world.connect(badBits);
    world.connect(early);
    world.run();
    for (TestPeer p : List.of(badBits, early)) {
      assertThat(world.penaltiesOf(p))
          .as("penalties of the peer with the bad header at %s", p.badHeader.height())
          .anyMatch(x -> x.points() == SyncFailure.Kind.INVALID.penalty())
          .anyMatch(x -> x.reason().contains(p == badBits ? "WRONG_DIFFICULTY" : "MEDIAN"));
    }
    assertThat(world.blockRequests).isEmpty();
    assertThat(world.chain.height()).isZero();
  }

  @Test
  void aChainThatNeedsMoreHeadersThanTheBudgetIsDroppedWithoutBlame() {
    world = new SyncWorld(PARAMS, SyncConfig.defaults().withPresync(4, 64));
    world.chain.importAll(HEAVY.subList(0, 3));
    TestPeer longCheap = world.peer(1, CHEAP);
    assertThat(longCheap.work()).isGreaterThan(world.chain.head.work());
    world.connect(longCheap);
    world.run();
    assertThat(world.maxHeld).isLessThanOrEqualTo(64);
    assertThat(world.headerRequests)
        .singleElement()
        .satisfies(r -> assertThat(r.max()).isEqualTo(64));
    assertThat(world.blockRequests).isEmpty();
    assertThat(world.penalties).isEmpty();
    assertThat(world.state.avoided(longCheap.id)).isTrue();
    assertThat(world.state.presyncHeld(longCheap.id)).isZero();
  }

  @Test
  void noBodiesBelowTheNetworksMinimumChainWork() {
    TestPeer probe = new TestPeer(9, PARAMS, HEAVY.subList(0, 20));
    NetworkParams p = PARAMS.withMinimumChainWork(probe.work());
    world = new SyncWorld(p, SyncConfig.defaults());
    TestPeer honest = world.peer(1, HEAVY.subList(0, 10));
    TestPeer boaster = world.peer(2, HEAVY.subList(0, 12)); // claims the minimum, shows less
    boaster.claim = p.minimumChainWork();
    world.connect(honest);
    world.connect(boaster);
    world.run();
    world.advance(Duration.ofSeconds(5));
    assertThat(world.blockRequests).isEmpty();
    assertThat(world.penalties).isEmpty();
    // Its chain grows past the minimum: now it is worth its bodies.
    honest.setChain(HEAVY.subList(0, 20));
    world.advance(world.config.statusRefresh().plusSeconds(1));
    assertThat(world.chain.head.header()).isEqualTo(HEAVY.get(19).header());
    assertThat(world.penalties).isEmpty();
  }

  @Test
  void ourOwnIgnoreRulesNeverCountAgainstThePeer() {
    world.chain.ignoreAll = "IGNORED forks 1500 blocks below the head, the bound is 1000";
    TestPeer honest = world.peer(1, HEAVY);
    world.connect(honest);
    world.run();
    assertThat(world.chain.height()).isZero();
    assertThat(world.penaltiesOf(honest)).isEmpty();
    int asked = world.headerRequests.size();
    world.advance(Duration.ofMillis(SyncState.OWN_RULE_RETRY_MILLIS + 400));
    assertThat(world.headerRequests.size()).isGreaterThan(asked);
    world.chain.ignoreAll = null;
    world.advance(Duration.ofMillis(SyncState.OWN_RULE_RETRY_MILLIS + 400));
    assertThat(world.chain.head.header()).isEqualTo(HEAVY.getLast().header());
    assertThat(world.penaltiesOf(honest)).isEmpty();
    assertThat(world.bans).isEmpty();
  }

  @Test
  void anInvalidBlockInTheChainCostsItsSenderAndIsNotImported() {
    world.chain.invalid.add(HEAVY.get(7).hash());
    TestPeer bad = world.peer(1, HEAVY);
    world.connect(bad);
    world.run();
    assertThat(world.penaltiesOf(bad))
        .anyMatch(x -> x.points() == SyncFailure.Kind.INVALID.penalty());
    assertThat(world.chain.height()).isLessThan(8);
  }

  static {
    // Chains are mined once; make sure the fixture's network is what the tests think.
    assertThat(ChainFixture.PARAMS.minimumChainWork()).isZero();
    assertThat(ChainFixture.Trivial.T0).isEqualTo(ChainFixture.T0);
  }

  /** A status of another network, as a peer that syncs "other" announces it. */
  private static Status otherNetwork() {
    return new Status(
        "other", PARAMS.genesisHeader().hash(), PARAMS.genesisHeader().hash(), 0, BigInteger.ONE);
  }

  /**
   * A mutual refusal, our side first: we refuse the peer of another network, it stays connected
   * through the grace (which lets it read our status), and the refusal turns into a ban when the
   * grace ends.
   */
  @Test
  void aRefusedPeerThatStaysIsBannedWhenTheGraceEnds() {
    TestPeer other = world.peer(1, HEAVY);
    world.connected.add(other.id);
    world.handle(new SyncEvent.StatusIn(other.id, otherNetwork()));
    assertThat(world.bans).as("no ban during the grace").isEmpty();
    world.advance(world.config.refuseGrace().plusMillis(400));
    assertThat(world.bans).containsExactly(other.id);
  }

  /**
   * A mutual refusal, the other side first: the peer refused us and disconnected during our grace.
   * It is banned at once: forgetting the refusal would let it straight back in.
   */
  @Test
  void aRefusedPeerThatLeavesDuringTheGraceIsBannedAtOnce() {
    TestPeer other = world.peer(1, HEAVY);
    world.connected.add(other.id);
    world.handle(new SyncEvent.StatusIn(other.id, otherNetwork()));
    world.connected.remove(other.id);
    world.handle(new SyncEvent.Disconnected(other.id));
    assertThat(world.bans).containsExactly(other.id);
    world.advance(world.config.refuseGrace().plusMillis(400));
    assertThat(world.bans).as("banned once").containsExactly(other.id);
  }
}
