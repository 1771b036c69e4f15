package dev.cairn.chain.consensus;

import static dev.cairn.chain.ChainFixture.Trivial.PARAMS;
import static dev.cairn.chain.ChainFixture.Trivial.key;
import static dev.cairn.chain.ChainFixture.Trivial.tx;
import static dev.cairn.chain.ChainFixture.context;
import static dev.cairn.chain.ChainFixture.mine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BlockValidatorTest {
  final BlockHeader genesis = PARAMS.genesisHeader();
  final Block good = mine(PARAMS, genesis, key(5).address(), List.of());
  final long now = good.header().timestamp();

  ValidationResult check(BlockHeader h) {
    return BlockValidator.validateHeader(h, context(genesis, now), PARAMS);
  }

  static BlockHeader with(
      BlockHeader h, int version, long height, Hash parent, long time, int bits) {
    return new BlockHeader(
        version, height, parent, h.merkleRoot(), h.miner(), time, bits, h.nonce());
  }

  /** Re-mines {@code h} (any bits) so only the rule under test fails. */
  static BlockHeader remine(BlockHeader h) {
    OptionalLong n = ProofOfWork.search(h.prefix(), h.bits(), 0, 1L << 32);
    return h.withNonce(n.orElseThrow());
  }

  @Test
  void acceptsAMinedChild() {
    assertThat(check(good.header())).isEqualTo(ValidationResult.ACCEPT);
    assertThat(BlockValidator.validateBody(good)).isEqualTo(ValidationResult.ACCEPT);
  }

  @Test
  void unsupportedVersion() {
    BlockHeader h = good.header();
    assertThat(check(remine(with(h, 2, 1, h.parent(), h.timestamp(), h.bits()))).reason())
        .isEqualTo(RejectReason.UNSUPPORTED_VERSION);
  }

  @Test
  void wrongHeight() {
    BlockHeader h = good.header();
    assertThat(check(remine(with(h, 1, 2, h.parent(), h.timestamp(), h.bits()))).reason())
        .isEqualTo(RejectReason.WRONG_HEIGHT);
  }

  @Test
  void wrongParent() {
    BlockHeader h = good.header();
    assertThat(check(remine(with(h, 1, 1, Hash.ZERO, h.timestamp(), h.bits()))).reason())
        .isEqualTo(RejectReason.WRONG_PARENT);
  }

  @Test
  void badTargetEncoding() {
    BlockHeader h = good.header();
    for (int bits : new int[] {0x04923456, 0x22123456, 0, 0x04001234, 0x207fffff + 1}) {
      BlockHeader bad = with(h, 1, 1, h.parent(), h.timestamp(), bits);
      assertThat(check(bad).reason())
          .as("bits %08x", bits)
          .isEqualTo(RejectReason.BAD_TARGET_ENCODING);
    }
  }

  @Test
  void wrongDifficulty() {
    BlockHeader h = good.header();
    BlockHeader harder = remine(with(h, 1, 1, h.parent(), h.timestamp(), 0x1f7fffff));
    assertThat(check(harder).reason()).isEqualTo(RejectReason.WRONG_DIFFICULTY);
  }

  @Test
  void insufficientProofOfWork() {
    BlockHeader h = good.header();
    long n = 0;
    while (ProofOfWork.meetsTarget(h.withNonce(n))) {
      n++;
    }
    assertThat(check(h.withNonce(n)).reason()).isEqualTo(RejectReason.INSUFFICIENT_PROOF_OF_WORK);
  }

  @Test
  void timestampMustBeAfterMedianOfLastEleven() {
    BlockHeader h = good.header();
    BlockHeader equal = remine(with(h, 1, 1, h.parent(), genesis.timestamp(), h.bits()));
    assertThat(check(equal).reason()).isEqualTo(RejectReason.TIMESTAMP_NOT_AFTER_MEDIAN);
    // Median of 11, not the parent's time: a child older than its parent can be valid.
    List<Long> recent = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      recent.add(genesis.timestamp() - 10_000 + i * 1_000);
    }
    assertThat(TimeRules.medianTimePast(recent)).isEqualTo(genesis.timestamp() - 5_000);
    BlockHeader older = remine(with(h, 1, 1, h.parent(), genesis.timestamp() - 4_000, h.bits()));
    ValidationResult r =
        BlockValidator.validateHeader(
            older, new HeaderContext(genesis, genesis.timestamp(), recent, now), PARAMS);
    assertThat(r.accepted()).as(r.toString()).isTrue();
  }

  @Test
  void timestampTooFarInFutureIsIgnoredNotRejected() {
    BlockHeader h = good.header();
    long tooLate = now + PARAMS.maxFutureDriftMillis() + 1;
    BlockHeader late = remine(with(h, 1, 1, h.parent(), tooLate, h.bits()));
    ValidationResult r = check(late);
    assertThat(r).isInstanceOf(ValidationResult.Ignore.class);
    assertThat(r.reason()).isEqualTo(RejectReason.TIMESTAMP_TOO_FAR_IN_FUTURE);
    BlockHeader edge = remine(with(h, 1, 1, h.parent(), tooLate - 1, h.bits()));
    assertThat(check(edge).accepted()).isTrue();
  }

  @Test
  void badMerkleRoot() {
    Transaction t = tx(key(0), key(1).address(), 10, 1, 0);
    Block b = mine(PARAMS, genesis, key(5).address(), List.of(t));
    Block swapped = new Block(b.header(), List.of(tx(key(0), key(1).address(), 11, 1, 0)));
    assertThat(BlockValidator.validateBody(swapped).reason())
        .isEqualTo(RejectReason.BAD_MERKLE_ROOT);
    // A changed signature changes the id, so the header commits to signatures too.
    Block resigned = new Block(b.header(), List.of(t.withSignature(new byte[64])));
    assertThat(BlockValidator.validateBody(resigned).reason())
        .isEqualTo(RejectReason.BAD_MERKLE_ROOT);
  }

  @Test
  void duplicateTransaction() {
    Transaction t = tx(key(0), key(1).address(), 10, 1, 0);
    Block b = mine(PARAMS, genesis, key(5).address(), List.of(t, t));
    assertThat(BlockValidator.validateBody(b).reason())
        .isEqualTo(RejectReason.DUPLICATE_TRANSACTION);
  }

  @Test
  void tooManyTransactionsAndTooLarge() {
    Transaction t = tx(key(0), key(1).address(), 10, 1, 0);
    List<Transaction> many = new ArrayList<>();
    for (int i = 0; i <= Limits.MAX_TRANSACTIONS; i++) {
      many.add(t);
    }
    Block b = new Block(genesis, many);
    assertThat(BlockValidator.validateBody(b).reason())
        .isEqualTo(RejectReason.TOO_MANY_TRANSACTIONS);
    // Size follows from the count today (fixed-size transactions); the rule stays for later
    // formats.
    assertThat(Limits.MAX_TRANSACTIONS * Limits.TRANSACTION_BYTES + 120)
        .isLessThanOrEqualTo(Limits.MAX_BLOCK_BYTES);
  }
}
