package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.mine;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.store.ChainStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid data is never verified twice: a block whose failure its hash commits to is remembered and
 * refused at once when it comes back ({@code "known invalid: "}, and the header-validation counter
 * does not move: only the memory answers without validating); its children are refused unverified.
 * A body that does not match its header never poisons the header's hash.
 */
@Timeout(60)
class InvalidBlockMemoryTest {
  @TempDir Path dir;
  ChainStore store;
  ChainState chain;

  @BeforeEach
  void open() {
    open(ChainConfig.defaults().withSyncWrites(false));
  }

  void open(ChainConfig config) {
    store = ChainStore.open(dir, false);
    chain = ChainFixture.open(store, config);
  }

  @AfterEach
  void close() {
    store.close();
  }

  ImportResult imp(Block b) {
    return chain.importBlock(b, "hostile");
  }

  /** Imports {@code b} again and checks that it is refused from memory, unvalidated. */
  void assertRefusedFromMemory(Block b, RejectReason reason) {
    long validations = chain.headerValidations();
    ImportResult again = imp(b);
    assertThat(again.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(again.reason()).isEqualTo(reason);
    assertThat(again.detail()).startsWith("known invalid: ");
    assertThat(chain.headerValidations()).isEqualTo(validations);
  }

  /** A child of {@code parent} is refused unverified, not held as an orphan. */
  void assertChildRefusedUnverified(Block parent) {
    long validations = chain.headerValidations();
    Block child = mine(parent.header(), 1_000);
    assertThat(imp(child).outcome()).isEqualTo(Outcome.INVALID_ANCESTOR);
    assertThat(chain.headerValidations()).isEqualTo(validations);
    assertThat(chain.orphanCount()).isZero();
  }

  @Test
  void aBlockFailingWhenAppliedToTheHeadIsRememberedAndNotVerifiedAgain() {
    Block bad = mine(genesis(), 1_000, MINER, List.of(tx(0, 4, 2_000_000, 10, 0)));
    long validations = chain.headerValidations();
    ImportResult first = imp(bad);
    assertThat(first.outcome()).isEqualTo(Outcome.INVALID);
    assertThat(first.reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    assertThat(chain.headerValidations()).isEqualTo(validations + 1);
    assertRefusedFromMemory(bad, RejectReason.INSUFFICIENT_BALANCE);
    assertChildRefusedUnverified(bad);
    assertThat(store.hasBlock(bad.hash())).isFalse();
  }

  @Test
  void aHeaderBreakingARuleWithProofOfWorkIsRememberedAndNotVerifiedAgain() {
    // Block 1 must carry the genesis bits; this one claims the easier limit (and meets it).
    BlockHeader t =
        new BlockHeader(
            BlockHeader.VERSION,
            1,
            genesis().hash(),
            Merkle.root(List.of()),
            MINER,
            genesis().timestamp() + 1_000,
            PARAMS.powLimitBits(),
            0);
    long nonce = ProofOfWork.search(t.prefix(), t.bits(), 0, Long.MAX_VALUE).orElseThrow();
    Block bad = new Block(t.withNonce(nonce), List.of());
    ImportResult first = imp(bad);
    assertThat(first.reason()).isEqualTo(RejectReason.WRONG_DIFFICULTY);
    assertRefusedFromMemory(bad, RejectReason.WRONG_DIFFICULTY);
    assertChildRefusedUnverified(bad);
  }

  @Test
  void aBlockFailingOnABranchIsRememberedAndItsChildrenRefusedUnverified() {
    List<Block> a = branch(genesis(), 3, 5_000, addr(5));
    a.forEach(this::imp);
    Block b1 = mine(genesis(), 1_000, addr(6), List.of(tx(0, 4, 100, 10, 0)));
    Block b2 = mine(b1.header(), 1_000, addr(6), List.of(tx(0, 4, 101, 10, 0))); // replays nonce 0
    Block b3 = mine(b2.header(), 1_000, addr(6), List.of());
    for (Block b : List.of(b1, b2, b3)) {
      chain.importBlock(b, "sync", true);
    }
    assertThat(chain.knownInvalid(b2.hash())).isTrue();
    assertRefusedFromMemory(b2, RejectReason.NONCE_REPLAYED);
    long validations = chain.headerValidations();
    assertThat(imp(mine(b3.header(), 1_000)).outcome()).isEqualTo(Outcome.INVALID_ANCESTOR);
    assertThat(chain.headerValidations()).isEqualTo(validations);
  }

  @Test
  void aBodyTheHeaderCommitsToIsRememberedAsInvalid() {
    Transaction t = tx(0, 4, 100, 10, 0);
    // The header's root commits to the same transaction twice.
    Block dup = mine(genesis(), 1_000, MINER, List.of(t, t));
    assertThat(imp(dup).reason()).isEqualTo(RejectReason.DUPLICATE_TRANSACTION);
    assertRefusedFromMemory(dup, RejectReason.DUPLICATE_TRANSACTION);
  }

  @Test
  void aMangledBodyDoesNotPoisonTheHonestBlocksHash() {
    Transaction t = tx(0, 4, 100, 10, 0);
    Block honest = mine(genesis(), 1_000, MINER, List.of(t));
    // The honest header with bodies it does not commit to: another transaction list, a repeat.
    Block empty = new Block(honest.header(), List.of());
    Block twice = new Block(honest.header(), List.of(t, t));
    Block other = new Block(honest.header(), List.of(tx(0, 4, 2_000_000, 10, 0)));
    assertThat(imp(empty).reason()).isEqualTo(RejectReason.BAD_MERKLE_ROOT);
    assertThat(imp(twice).reason()).isEqualTo(RejectReason.DUPLICATE_TRANSACTION);
    assertThat(imp(other).reason()).isEqualTo(RejectReason.BAD_MERKLE_ROOT);
    assertThat(chain.knownInvalid(honest.hash())).isFalse();
    assertThat(imp(honest).outcome()).isEqualTo(Outcome.IMPORTED_HEAD);
  }

  @Test
  void theMemoryIsBoundedAndForgetsTheOldestFirst() {
    store.close();
    open(ChainConfig.defaults().withSyncWrites(false).with(ChainConfig::maxInvalidBlocks, 2));
    Block[] bad = new Block[3];
    for (int i = 0; i < 3; i++) {
      bad[i] = mine(genesis(), 1_000 + i, MINER, List.of(tx(0, 4, 2_000_000 + i, 10, 0)));
      assertThat(imp(bad[i]).reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    }
    Hash forgotten = bad[0].hash();
    assertThat(chain.knownInvalid(forgotten)).isFalse();
    assertThat(chain.knownInvalid(bad[1].hash())).isTrue();
    assertThat(chain.knownInvalid(bad[2].hash())).isTrue();
    long validations = chain.headerValidations();
    assertThat(imp(bad[0]).reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    assertThat(chain.headerValidations()).isEqualTo(validations + 1); // verified once more
    assertThat(chain.knownInvalid(forgotten)).isTrue();
  }
}
