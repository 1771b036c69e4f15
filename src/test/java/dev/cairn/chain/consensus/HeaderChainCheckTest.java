package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ForkBase;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HeaderChainCheckTest {
  /** The unit network with genesis bits 2^8 times harder than the limit, so work varies. */
  static final NetworkParams P = ChainFixture.Trivial.PARAMS.withGenesisBits(0x1f7fffff);

  static final Address MINER = ChainFixture.Trivial.key(5).address();
  static final BlockHeader GENESIS = P.genesisHeader();
  static final ForkBase GENESIS_BASE =
      new ForkBase(
          GENESIS,
          CompactTarget.work(GENESIS.bits()),
          GENESIS.timestamp(),
          List.of(GENESIS.timestamp()));

  /** {@code n} headers after {@code parent}, each {@code gap} ms after the one before. */
  static List<BlockHeader> chain(BlockHeader parent, int n, long gap) {
    List<BlockHeader> out = new ArrayList<>();
    BlockHeader p = parent;
    for (int i = 0; i < n; i++) {
      Block b = ChainFixture.mine(P, p, MINER, List.of(), p.timestamp() + gap);
      out.add(b.header());
      p = b.header();
    }
    return out;
  }

  static BlockHeader remine(BlockHeader h) {
    OptionalLong n = ProofOfWork.search(h.prefix(), h.bits(), 0, 1L << 32);
    return h.withNonce(n.orElseThrow());
  }

  static long now(List<BlockHeader> hs) {
    return hs.getLast().timestamp();
  }

  @Test
  void acceptsAMinedChainAndSumsItsWork() {
    List<BlockHeader> hs = chain(GENESIS, 30, 1000);
    HeaderChainCheck.Result r = HeaderChainCheck.check(GENESIS_BASE, hs, P, now(hs));
    assertThat(r.complete()).isTrue();
    assertThat(r.accepted()).isEqualTo(30);
    assertThat(r.tip().header()).isEqualTo(hs.getLast());
    java.math.BigInteger sum = java.math.BigInteger.ZERO;
    for (BlockHeader h : hs) {
      sum = sum.add(CompactTarget.work(h.bits()));
    }
    assertThat(HeaderChainCheck.work(GENESIS_BASE, r)).isEqualTo(sum);
    // Checked in two runs, the second on the first's tip: the same result.
    HeaderChainCheck.Result first =
        HeaderChainCheck.check(GENESIS_BASE, hs.subList(0, 12), P, now(hs));
    HeaderChainCheck.Result second =
        HeaderChainCheck.check(first.tip(), hs.subList(12, 30), P, now(hs));
    assertThat(second.complete()).isTrue();
    assertThat(second.tip()).isEqualTo(r.tip());
  }

  @Test
  void stopsAtAnUnlinkedHeader() {
    List<BlockHeader> hs = new ArrayList<>(chain(GENESIS, 5, 1000));
    List<BlockHeader> other = chain(GENESIS, 5, 900);
    hs.set(3, other.get(3));
    HeaderChainCheck.Result r = assertRefused(hs, now(hs), 3, RejectReason.WRONG_PARENT);
    assertThat(r.tip().header()).isEqualTo(hs.get(2));
  }

  @Test
  void refusesTheWrongDifficultyEvenWithValidProofOfWork() {
    // Blocks stamped late ease the target; a header that keeps the easiest target on schedule
    // carries bits the rule does not give it.
    List<BlockHeader> hs = new ArrayList<>(chain(GENESIS, 5, 1000));
    BlockHeader h = hs.get(4);
    hs.set(4, remine(h.withBits(P.powLimitBits())));
    assertRefused(hs, now(hs), 4, RejectReason.WRONG_DIFFICULTY);
  }

  /** Checks {@code run} from genesis at {@code now}: {@code accepted} pass, the next fails. */
  private static HeaderChainCheck.Result assertRefused(
      List<BlockHeader> run, long now, int accepted, RejectReason reason) {
    HeaderChainCheck.Result r = HeaderChainCheck.check(GENESIS_BASE, run, P, now);
    assertThat(r.accepted()).isEqualTo(accepted);
    assertThat(r.verdict().reason()).isEqualTo(reason);
    return r;
  }

  @Test
  void refusesAHeaderWithoutItsProofOfWork() {
    List<BlockHeader> hs = new ArrayList<>(chain(GENESIS, 3, 1000));
    BlockHeader h = hs.get(2);
    BlockHeader unworked = h.withNonce(h.nonce() + 1);
    for (long n = h.nonce() + 1; ProofOfWork.meetsTarget(unworked); n++) {
      unworked = h.withNonce(n);
    }
    hs.set(2, unworked);
    assertRefused(hs, now(hs), 2, RejectReason.INSUFFICIENT_PROOF_OF_WORK);
  }

  @Test
  void refusesATimestampNotAfterTheMedianOfTheRunItself() {
    // The median comes from the earlier headers of the same run, not from the store.
    List<BlockHeader> hs = chain(GENESIS, 12, 1000);
    BlockHeader last = hs.get(11);
    BlockHeader early =
        remine(
            new BlockHeader(
                last.version(),
                last.height(),
                last.parent(),
                last.merkleRoot(),
                last.miner(),
                hs.get(5).timestamp(),
                Difficulty.nextBits(P, 11, hs.get(10).timestamp(), hs.get(0).timestamp()),
                0));
    List<BlockHeader> run = new ArrayList<>(hs.subList(0, 11));
    run.add(early);
    assertRefused(run, now(hs), 11, RejectReason.TIMESTAMP_NOT_AFTER_MEDIAN);
  }

  @Test
  void ignoresAHeaderTooFarInTheFuture() {
    List<BlockHeader> hs = chain(GENESIS, 4, 1000);
    long now = hs.get(2).timestamp() - P.maxFutureDriftMillis() + 1;
    HeaderChainCheck.Result r = HeaderChainCheck.check(GENESIS_BASE, hs, P, now);
    assertThat(r.verdict()).isInstanceOf(ValidationResult.Ignore.class);
    assertThat(r.accepted()).isEqualTo(3);
  }

  @Test
  void aBranchForkingAtGenesisIsAnchoredAtItsOwnBlockOne() {
    // Two branches from genesis whose block 1 differ in time: each one's later bits follow its own
    // block 1, and a header carrying the other branch's anchor is refused.
    List<BlockHeader> a = chain(GENESIS, 6, 1000);
    List<BlockHeader> b = chain(GENESIS, 6, 7000);
    assertThat(HeaderChainCheck.check(GENESIS_BASE, a, P, now(b)).complete()).isTrue();
    assertThat(HeaderChainCheck.check(GENESIS_BASE, b, P, now(b)).complete()).isTrue();
    BlockHeader last = b.get(5);
    int aAnchored = Difficulty.nextBits(P, 5, b.get(4).timestamp(), a.get(0).timestamp());
    assertThat(aAnchored).isNotEqualTo(last.bits());
    List<BlockHeader> wrong = new ArrayList<>(b.subList(0, 5));
    wrong.add(remine(last.withBits(aAnchored)));
    assertRefused(wrong, now(b), 5, RejectReason.WRONG_DIFFICULTY);
  }

  @Test
  void forkBaseExtendKeepsElevenTimestampsNewestFirstAndTakesBlockOneAsAnchor() {
    List<BlockHeader> hs = chain(GENESIS, 14, 1000);
    ForkBase b = GENESIS_BASE;
    for (BlockHeader h : hs) {
      b = b.extend(h);
    }
    assertThat(b.recentTimestamps()).hasSize(11);
    assertThat(b.recentTimestamps().getFirst()).isEqualTo(hs.getLast().timestamp());
    assertThat(b.anchorTimestamp()).isEqualTo(hs.getFirst().timestamp());
    Hash unused = b.header().hash();
    assertThat(unused).isEqualTo(hs.getLast().hash());
  }
}
