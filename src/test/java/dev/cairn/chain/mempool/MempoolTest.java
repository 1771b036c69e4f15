package dev.cairn.chain.mempool;

import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.mempool.Mempool.Outcome;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.InMemoryAccounts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MempoolTest {
  InMemoryAccounts state = InMemoryAccounts.genesis(PARAMS);
  Mempool pool = new Mempool(PARAMS, new Mempool.Config(6, 4, 3, 60_000, 10));

  List<Transaction> select() {
    return pool.select(state, 100, 1 << 20);
  }

  @Test
  void ordersByFeeAndKeepsEachSendersNoncesInOrder() {
    Transaction a0 = tx(0, 4, 10, 10, 0);
    Transaction a1 = tx(0, 4, 10, 500, 1); // high fee, but after a0
    Transaction b0 = tx(1, 4, 10, 100, 0);
    Transaction c0 = tx(2, 4, 10, 50, 0);
    for (Transaction t : List.of(a1, a0, b0, c0)) {
      assertThat(pool.add(t, state, 0).accepted()).isTrue();
    }
    assertThat(select()).containsExactly(b0, c0, a0, a1);
    assertThat(pool.select(state, 2, 1 << 20)).containsExactly(b0, c0);
  }

  @Test
  void transactionsAfterANonceGapWaitAndAreNotMined() {
    assertThat(pool.add(tx(0, 4, 10, 10, 2), state, 0).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(pool.add(tx(0, 4, 10, 10, 1), state, 0).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(select()).isEmpty();
    assertThat(pool.add(tx(0, 4, 10, 10, 0), state, 0).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(select()).extracting(Transaction::nonce).containsExactly(0L, 1L, 2L);
    Mempool.Admission far = pool.add(tx(0, 4, 10, 10, 4), state, 0);
    assertThat(far.reason()).isEqualTo(RejectReason.NONCE_GAP);
  }

  @Test
  void replacementNeedsAFeeBump() {
    Transaction first = tx(0, 4, 10, 100, 0);
    pool.add(first, state, 0);
    assertThat(pool.add(tx(0, 5, 10, 105, 0), state, 0).outcome()).isEqualTo(Outcome.UNDERPRICED);
    Transaction better = tx(0, 5, 10, 110, 0);
    assertThat(pool.add(better, state, 0).outcome()).isEqualTo(Outcome.REPLACED);
    assertThat(pool.contains(first.id())).isFalse();
    assertThat(select()).containsExactly(better);
    assertThat(pool.add(better, state, 0).outcome()).isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void fullPoolEvictsTheCheapestWithItsLaterNoncesOrRefusesACheaperNewcomer() {
    pool.add(tx(0, 4, 10, 10, 0), state, 0);
    pool.add(tx(0, 4, 10, 90, 1), state, 0);
    pool.add(tx(1, 4, 10, 20, 0), state, 0);
    pool.add(tx(2, 4, 10, 30, 0), state, 0);
    pool.add(tx(3, 4, 10, 40, 0), state, 0);
    pool.add(tx(3, 4, 10, 50, 1), state, 0);
    assertThat(pool.size()).isEqualTo(6);
    assertThat(pool.add(tx(1, 4, 10, 10, 1), state, 0).outcome()).isEqualTo(Outcome.POOL_FULL);
    assertThat(pool.add(tx(2, 4, 10, 15, 1), state, 0).outcome()).isEqualTo(Outcome.ADDED);
    // key 0's nonce 0 (fee 10) went, and its nonce 1 with it.
    assertThat(pool.pending(addr(0))).isEmpty();
    assertThat(pool.size()).isEqualTo(5);
  }

  @Test
  void perSenderBound() {
    Mempool small = new Mempool(PARAMS, new Mempool.Config(100, 2, 10, 60_000, 10));
    small.add(tx(0, 4, 10, 10, 0), state, 0);
    small.add(tx(0, 4, 10, 10, 1), state, 0);
    assertThat(small.add(tx(0, 4, 10, 10, 2), state, 0).outcome()).isEqualTo(Outcome.SENDER_FULL);
  }

  @Test
  void rejectsInvalidTransactionsWithTheirReason() {
    assertThat(pool.add(tx(5, 4, 10, 10, 0), state, 0).reason())
        .isEqualTo(RejectReason.UNKNOWN_SENDER);
    assertThat(pool.add(tx(0, 4, 10, 1, 0), state, 0).reason()).isEqualTo(RejectReason.FEE_TOO_LOW);
    assertThat(pool.add(tx(0, 4, 2_000_000, 10, 0), state, 0).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    Transaction forged = tx(0, 4, 10, 10, 0).withSignature(new byte[64]);
    assertThat(pool.add(forged, state, 0).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
    InMemoryAccounts later =
        state.apply(
            new dev.cairn.chain.state.StateDelta(Map.of(addr(0), new Account(1_000_000, 5))));
    assertThat(pool.add(tx(0, 4, 10, 10, 3), later, 0).reason())
        .isEqualTo(RejectReason.NONCE_REPLAYED);
  }

  @Test
  void templateSkipsWhatTheBalanceCannotCover() {
    Mempool big = new Mempool(PARAMS, new Mempool.Config(100, 10, 10, 60_000, 10));
    big.add(tx(0, 4, 600_000, 10, 0), state, 0);
    big.add(tx(0, 4, 600_000, 10, 1), state, 0);
    assertThat(big.select(state, 100, 1 << 20)).extracting(Transaction::nonce).containsExactly(0L);
  }

  @Test
  void expiresOldTransactionsWithTheirLaterNonces() {
    pool.add(tx(0, 4, 10, 10, 0), state, 0);
    pool.add(tx(0, 4, 10, 10, 1), state, 50_000);
    pool.add(tx(1, 4, 10, 10, 0), state, 50_000);
    assertThat(pool.expire(59_999)).isZero();
    assertThat(pool.expire(60_000)).isEqualTo(2);
    assertThat(pool.size()).isEqualTo(1);
  }

  @Test
  void revalidationDropsWhatTheNewStateMadeInvalidAndReaddTakesBackAbandonedTransactions() {
    Transaction a0 = tx(0, 4, 10, 10, 0);
    Transaction a1 = tx(0, 4, 10, 10, 1);
    Transaction b0 = tx(1, 4, 10, 10, 0);
    pool.add(a0, state, 0);
    pool.add(a1, state, 0);
    pool.add(b0, state, 0);
    // A block included a0 (key 0 now at nonce 1).
    InMemoryAccounts after =
        state.apply(new dev.cairn.chain.state.StateDelta(Map.of(addr(0), new Account(999_980, 1))));
    pool.revalidate(Set.of(addr(0), addr(4)), after);
    assertThat(pool.contains(a0.id())).isFalse();
    assertThat(pool.contains(a1.id())).isTrue();
    assertThat(pool.contains(b0.id())).isTrue();
    // The block was abandoned: a0 comes back and a1 is executable again.
    pool.readd(List.of(a0), state, 0);
    assertThat(pool.select(state, 100, 1 << 20)).containsExactlyInAnyOrder(a0, a1, b0);
  }
}
