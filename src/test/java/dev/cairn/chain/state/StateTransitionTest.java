package dev.cairn.chain.state;

import static dev.cairn.chain.ChainFixture.Trivial.PARAMS;
import static dev.cairn.chain.ChainFixture.Trivial.key;
import static dev.cairn.chain.ChainFixture.Trivial.tx;
import static dev.cairn.chain.ChainFixture.mine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StateTransitionTest {
  final InMemoryAccounts genesis = InMemoryAccounts.genesis(PARAMS);
  final SigningKey alice = key(0);
  final SigningKey bob = key(1);
  final Address miner = key(9).address();

  Block block(Transaction... txs) {
    return mine(PARAMS, PARAMS.genesisHeader(), miner, List.of(txs));
  }

  ApplyResult apply(InMemoryAccounts state, Transaction... txs) {
    return StateTransition.applyBlock(block(txs), state, PARAMS);
  }

  RejectReason reason(Transaction... txs) {
    ApplyResult r = apply(genesis, txs);
    assertThat(r).isInstanceOf(ApplyResult.Rejected.class);
    return ((ApplyResult.Rejected) r).reason();
  }

  @Test
  void transferMovesAmountAndPaysFeeAndRewardToMiner() {
    Address carol = key(2).address();
    ApplyResult.Applied r = (ApplyResult.Applied) apply(genesis, tx(alice, carol, 300, 7, 0));
    InMemoryAccounts after = genesis.apply(r.delta());
    assertThat(after.account(alice.address())).contains(new Account(1_000_000 - 307, 1));
    assertThat(after.account(carol)).contains(new Account(300, 0));
    assertThat(after.account(miner)).contains(new Account(50 + 7, 0));
    assertThat(r.reward()).isEqualTo(50);
    assertThat(r.fees()).isEqualTo(7);
    assertThat(after.totalSupply()).isEqualTo(genesis.totalSupply() + 50);
    assertThat(after.revert(r.undo())).isEqualTo(genesis);
  }

  @Test
  void eachAccountIsReadFromTheStateOncePerBlock() {
    Map<Address, Integer> reads = new java.util.HashMap<>();
    AccountReader counting =
        a -> {
          reads.merge(a, 1, Integer::sum);
          return genesis.account(a);
        };
    Address carol = key(2).address();
    ApplyResult.Applied r =
        (ApplyResult.Applied)
            StateTransition.applyBlock(
                block(
                    tx(alice, carol, 300, 7, 0),
                    tx(alice, bob.address(), 5, 1, 1),
                    tx(bob, carol, 2, 1, 0)),
                counting,
                PARAMS);
    assertThat(reads).containsOnlyKeys(alice.address(), bob.address(), carol, miner);
    assertThat(reads.values()).containsOnly(1);
    InMemoryAccounts after = genesis.apply(r.delta());
    assertThat(after.account(carol)).contains(new Account(302, 0));
    assertThat(after.revert(r.undo())).isEqualTo(genesis);
  }

  @Test
  void unknownSender() {
    assertThat(reason(tx(key(3), alice.address(), 1, 1, 0))).isEqualTo(RejectReason.UNKNOWN_SENDER);
  }

  @Test
  void insufficientBalanceCountsTheFee() {
    assertThat(reason(tx(alice, bob.address(), 1_000_000, 1, 0)))
        .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    assertThat(apply(genesis, tx(alice, bob.address(), 999_999, 1, 0)))
        .isInstanceOf(ApplyResult.Applied.class);
  }

  @Test
  void invalidAmount() {
    assertThat(reason(tx(alice, bob.address(), 0, 1, 0))).isEqualTo(RejectReason.INVALID_AMOUNT);
    assertThat(reason(tx(alice, bob.address(), -5, 1, 0))).isEqualTo(RejectReason.INVALID_AMOUNT);
    assertThat(reason(tx(alice, bob.address(), Long.MAX_VALUE, 1, 0)))
        .isEqualTo(RejectReason.INVALID_AMOUNT);
  }

  @Test
  void feeTooLow() {
    assertThat(reason(tx(alice, bob.address(), 5, 0, 0))).isEqualTo(RejectReason.FEE_TOO_LOW);
    assertThat(reason(tx(alice, bob.address(), 5, -1, 0))).isEqualTo(RejectReason.FEE_TOO_LOW);
  }

  @Test
  void selfTransaction() {
    assertThat(reason(tx(alice, alice.address(), 5, 1, 0)))
        .isEqualTo(RejectReason.SELF_TRANSACTION);
  }

  @Test
  void badSignature() {
    Transaction t = tx(alice, bob.address(), 5, 1, 0);
    byte[] sig = t.signature();
    sig[10] ^= 1;
    assertThat(reason(t.withSignature(sig))).isEqualTo(RejectReason.BAD_SIGNATURE);
    // Signed by someone else for alice's key.
    Transaction forged = t.withSignature(bob.sign(t.signingMessage()));
    assertThat(reason(forged)).isEqualTo(RejectReason.BAD_SIGNATURE);
  }

  @Test
  void wrongChainId() {
    Transaction other =
        Transaction.signed(alice, ChainFixture.Trivial.CHAIN_ID + 1, bob.address(), 5, 1, 0);
    assertThat(reason(other)).isEqualTo(RejectReason.WRONG_CHAIN_ID);
  }

  @Test
  void nonceReplayedAndGap() {
    assertThat(reason(tx(alice, bob.address(), 5, 1, 1))).isEqualTo(RejectReason.NONCE_GAP);
    assertThat(reason(tx(alice, bob.address(), 5, 1, -1))).isEqualTo(RejectReason.NONCE_GAP);
    InMemoryAccounts s =
        genesis.apply(
            ((ApplyResult.Applied) apply(genesis, tx(alice, bob.address(), 5, 1, 0))).delta());
    // Replay of the same transaction in a later block.
    ApplyResult replay =
        StateTransition.applyBlock(block(tx(alice, bob.address(), 5, 1, 0)), s, PARAMS);
    assertThat(((ApplyResult.Rejected) replay).reason()).isEqualTo(RejectReason.NONCE_REPLAYED);
  }

  @Test
  void doubleSpendInsideOneBlock() {
    // Same nonce twice (different recipients): the second is a replay.
    ApplyResult r =
        apply(
            genesis,
            tx(alice, bob.address(), 600_000, 1, 0),
            tx(alice, key(2).address(), 600_000, 1, 0));
    assertThat(((ApplyResult.Rejected) r).reason()).isEqualTo(RejectReason.NONCE_REPLAYED);
    assertThat(((ApplyResult.Rejected) r).txIndex()).isEqualTo(1);
    // Consecutive nonces that together overspend.
    assertThat(
            reason(
                tx(alice, bob.address(), 600_000, 1, 0),
                tx(alice, key(2).address(), 600_000, 1, 1)))
        .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
  }

  @Test
  void balanceOverflowOfRecipientAndMiner() {
    InMemoryAccounts rich =
        InMemoryAccounts.of(
            Map.of(
                alice.address(), new Account(1_000, 0),
                bob.address(), new Account(Long.MAX_VALUE - 10, 0)));
    ApplyResult r =
        StateTransition.applyBlock(block(tx(alice, bob.address(), 11, 1, 0)), rich, PARAMS);
    assertThat(((ApplyResult.Rejected) r).reason()).isEqualTo(RejectReason.BALANCE_OVERFLOW);
    InMemoryAccounts richMiner =
        InMemoryAccounts.of(
            Map.of(
                alice.address(),
                new Account(1_000, 0),
                miner,
                new Account(Long.MAX_VALUE - 10, 0)));
    ApplyResult m =
        StateTransition.applyBlock(block(tx(alice, bob.address(), 1, 1, 0)), richMiner, PARAMS);
    assertThat(((ApplyResult.Rejected) m).reason()).isEqualTo(RejectReason.BALANCE_OVERFLOW);
    assertThat(((ApplyResult.Rejected) m).txIndex()).isEqualTo(-1);
  }

  @Test
  void rewardOverflow() {
    InMemoryAccounts s =
        InMemoryAccounts.of(Map.of(alice.address(), new Account(Long.MAX_VALUE, 0)));
    ApplyResult r =
        StateTransition.applyBlock(
            block(tx(alice, bob.address(), 1, Long.MAX_VALUE - 1, 0)), s, PARAMS);
    assertThat(((ApplyResult.Rejected) r).reason()).isEqualTo(RejectReason.REWARD_OVERFLOW);
  }

  @Test
  void validateAndApplyRunsHeaderAndBodyFirst() {
    Block b = block(tx(alice, bob.address(), 5, 1, 0));
    long now = b.header().timestamp();
    assertThat(
            StateTransition.validateAndApply(
                b, ChainFixture.context(PARAMS.genesisHeader(), now), genesis, PARAMS))
        .isInstanceOf(ApplyResult.Applied.class);
    Block badRoot = new Block(b.header(), List.of());
    ApplyResult r =
        StateTransition.validateAndApply(
            badRoot, ChainFixture.context(PARAMS.genesisHeader(), now), genesis, PARAMS);
    assertThat(((ApplyResult.Rejected) r).reason()).isEqualTo(RejectReason.BAD_MERKLE_ROOT);
  }

  @Test
  void checkTransactionIsTheMempoolEntryCheck() {
    assertThat(
            StateTransition.checkTransaction(tx(alice, bob.address(), 5, 1, 0), genesis, PARAMS)
                .accepted())
        .isTrue();
    assertThat(
            StateTransition.checkTransaction(tx(alice, bob.address(), 5, 1, 3), genesis, PARAMS)
                .reason())
        .isEqualTo(RejectReason.NONCE_GAP);
  }

  @Test
  void undoDeletesCreatedAccountsAndRestoresTouchedOnes() {
    Address carol = key(2).address();
    ApplyResult.Applied r =
        (ApplyResult.Applied) apply(genesis, tx(alice, carol, 10, 1, 0), tx(bob, carol, 10, 1, 0));
    assertThat(r.undo().previous()).containsEntry(carol, java.util.Optional.empty());
    assertThat(r.undo().previous().keySet()).isEqualTo(r.delta().writes().keySet());
    InMemoryAccounts after = genesis.apply(r.delta());
    assertThat(after.revert(r.undo())).isEqualTo(genesis);
    assertThat(after.revert(r.undo()).account(carol)).isEmpty();
  }
}
