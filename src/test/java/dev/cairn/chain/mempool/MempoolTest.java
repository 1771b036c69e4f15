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
  void withIdsListsThePooledTransactionsWithTheirOwnIdsAndNotTheQueuedOnes() {
    Transaction a0 = tx(0, 4, 10, 10, 0);
    Transaction b0 = tx(1, 4, 10, 100, 0);
    Transaction gap = tx(2, 4, 10, 50, 1);
    for (Transaction t : List.of(a0, b0, gap)) {
      assertThat(pool.add(t, state, 0).accepted()).isTrue();
    }
    assertThat(pool.withIds())
        .containsExactlyInAnyOrder(Map.entry(a0.id(), a0), Map.entry(b0.id(), b0));
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

  /** Adds {@code txs} at time 0 against {@link #state}. */
  private void addAt0(Mempool into, Transaction... txs) {
    for (Transaction t : txs) {
      into.add(t, state, 0);
    }
  }

  @Test
  void revalidationDropsWhatTheNewStateMadeInvalidAndReaddTakesBackAbandonedTransactions() {
    Transaction a0 = tx(0, 4, 10, 10, 0);
    Transaction a1 = tx(0, 4, 10, 10, 1);
    Transaction b0 = tx(1, 4, 10, 10, 0);
    addAt0(pool, a0, a1, b0);
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

  // ---- the gap queue and the cumulative balance (t2-A item 6)

  /** 6 pooled (4 per sender, 3 ahead); a gap queue of 4 (2 per sender) kept 10 s. */
  Mempool guarded = new Mempool(PARAMS, new Mempool.Config(6, 4, 3, 60_000, 10, 4, 2, 10_000));

  @Test
  void gapTransactionsWaitOutsideThePoolAndArePromotedWhenTheGapCloses() {
    Transaction a1 = tx(0, 4, 10, 10, 1);
    Transaction a2 = tx(0, 4, 10, 10, 2);
    assertThat(guarded.add(a2, state, 0).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(guarded.add(a1, state, 0).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(guarded.size()).isZero();
    assertThat(guarded.queuedSize()).isEqualTo(2);
    assertThat(guarded.isQueued(a1.id())).isTrue();
    assertThat(guarded.best(10)).isEmpty();
    Mempool.Admission a0 = guarded.add(tx(0, 4, 10, 10, 0), state, 0);
    assertThat(a0.outcome()).isEqualTo(Outcome.ADDED);
    assertThat(a0.relayable()).isTrue();
    assertThat(a0.promoted()).containsExactly(a1, a2);
    assertThat(guarded.size()).isEqualTo(3);
    assertThat(guarded.queuedSize()).isZero();
  }

  @Test
  void aFloodOfGapTransactionsLeavesThePoolToAnHonestOne() {
    // Three funded senders send 3 gap transactions each, paying 100 times the honest fee.
    for (int from = 0; from < 3; from++) {
      for (long nonce = 1; nonce <= 3; nonce++) {
        Mempool.Admission a = guarded.add(tx(from, 4, 10, 1_000, nonce), state, 0);
        assertThat(a.relayable()).isFalse();
      }
    }
    assertThat(guarded.queuedSize()).isEqualTo(4); // the queue's bound
    assertThat(guarded.size()).isZero();
    Transaction honest = tx(3, 4, 10, 10, 0);
    assertThat(guarded.add(honest, state, 0).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(guarded.select(state, 100, 1 << 20)).containsExactly(honest);
  }

  @Test
  void theGapQueueDropsItsOldestAtTheBoundAndExpiresSooner() {
    Transaction first = tx(0, 4, 10, 10, 2);
    guarded.add(first, state, 0);
    guarded.add(tx(1, 4, 10, 10, 2), state, 1);
    guarded.add(tx(2, 4, 10, 10, 2), state, 2);
    guarded.add(tx(3, 4, 10, 10, 2), state, 3);
    assertThat(guarded.add(tx(0, 4, 10, 10, 3), state, 4).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(guarded.contains(first.id())).isFalse(); // the oldest went
    assertThat(guarded.add(tx(0, 4, 10, 10, 1), state, 5).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(guarded.add(tx(0, 4, 10, 10, 2), state, 5).outcome())
        .isEqualTo(Outcome.SENDER_FULL); // 2 queued per sender
    assertThat(guarded.queuedSize()).isEqualTo(4);
    guarded.add(tx(1, 4, 10, 10, 0), state, 5);
    assertThat(guarded.expire(10_001)).isZero();
    assertThat(guarded.expire(10_005)).isEqualTo(4); // the queue's 10 s; the pooled one stays
    assertThat(guarded.size()).isEqualTo(1);
    assertThat(guarded.queuedSize()).isZero();
  }

  @Test
  void theBalanceMustCoverAllOfASendersPendingTransactions() {
    // key 0 holds 1,000,000
    assertThat(guarded.add(tx(0, 4, 600_000, 10, 0), state, 0).outcome()).isEqualTo(Outcome.ADDED);
    Mempool.Admission second = guarded.add(tx(0, 4, 600_000, 10, 1), state, 0);
    assertThat(second.reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    Mempool.Admission gap = guarded.add(tx(0, 4, 600_000, 10, 3), state, 0);
    assertThat(gap.reason()).isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    // a replacement counts instead of the one it replaces
    assertThat(guarded.add(tx(0, 4, 300_000, 20, 0), state, 0).outcome())
        .isEqualTo(Outcome.REPLACED);
    assertThat(guarded.add(tx(0, 4, 600_000, 10, 1), state, 0).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(guarded.add(tx(0, 4, 100_000, 10, 2), state, 0).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
  }

  @Test
  void aHeadChangeRechecksTheCumulativeBalanceAndPromotesWhatBecameExecutable() {
    Transaction a0 = tx(0, 4, 400_000, 10, 0);
    Transaction a1 = tx(0, 4, 400_000, 10, 1);
    Transaction b0 = tx(1, 4, 10, 10, 0);
    Transaction b2 = tx(1, 4, 10, 10, 2);
    addAt0(guarded, a0, a1, b0);
    assertThat(guarded.add(b2, state, 0).outcome()).isEqualTo(Outcome.QUEUED);
    // A block: key 0 spent elsewhere (nonce unchanged, 500,000 left); key 1 used nonces 0 and 1.
    InMemoryAccounts after =
        state.apply(
            new dev.cairn.chain.state.StateDelta(
                Map.of(addr(0), new Account(500_000, 0), addr(1), new Account(999_000, 2))));
    guarded.revalidate(Set.of(addr(0), addr(1)), after);
    assertThat(guarded.contains(a0.id())).isTrue();
    assertThat(guarded.contains(a1.id())).isFalse(); // a0 + a1 no longer affordable together
    assertThat(guarded.contains(b0.id())).isFalse();
    assertThat(guarded.isQueued(b2.id())).isFalse();
    assertThat(guarded.drainPromoted()).containsExactly(b2);
    assertThat(guarded.drainPromoted()).isEmpty();
    assertThat(guarded.select(after, 100, 1 << 20)).containsExactlyInAnyOrder(a0, b2);
  }

  @Test
  void checksTheStateBeforeTheSignature() {
    java.util.concurrent.atomic.AtomicInteger verified =
        new java.util.concurrent.atomic.AtomicInteger();
    Mempool counting =
        new Mempool(
            PARAMS,
            Mempool.Config.defaults(),
            t -> {
              verified.incrementAndGet();
              return t.hasValidSignature();
            });
    assertThat(counting.add(tx(5, 4, 10, 10, 0), state, 0).reason())
        .isEqualTo(RejectReason.UNKNOWN_SENDER);
    assertThat(counting.add(tx(0, 4, 2_000_000, 10, 0), state, 0).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
    assertThat(verified).hasValue(0);
    assertThat(counting.add(tx(0, 4, 10, 10, 0), state, 0).outcome()).isEqualTo(Outcome.ADDED);
    assertThat(verified).hasValue(1);
    assertThat(counting.addVerified(tx(0, 4, 10, 10, 1), state, 0).outcome())
        .isEqualTo(Outcome.ADDED);
    assertThat(verified).hasValue(1);
  }
}
