package dev.cairn.chain.consensus;

import dev.cairn.chain.model.Transaction;
import java.util.Arrays;
import java.util.Optional;

/**
 * The checks of a transaction that need no state, in this order: chain id, amount, fee, self
 * transaction, amount + fee overflow, signature. Thread-safe; a mempool may run it off the owner
 * thread.
 */
public final class TransactionRules {
  private TransactionRules() {}

  /** The first broken rule, or empty. */
  public static Optional<RejectReason> check(Transaction tx, NetworkParams p) {
    Optional<RejectReason> cheap = checkCheap(tx, p);
    if (cheap.isPresent()) {
      return cheap;
    }
    return tx.hasValidSignature() ? Optional.empty() : Optional.of(RejectReason.BAD_SIGNATURE);
  }

  /**
   * The rules that cost no signature verification (all but the signature), for callers that check
   * state before paying for the signature.
   */
  public static Optional<RejectReason> checkCheap(Transaction tx, NetworkParams p) {
    if (tx.chainId() != p.chainId()) {
      return Optional.of(RejectReason.WRONG_CHAIN_ID);
    }
    if (tx.amount() <= 0) {
      return Optional.of(RejectReason.INVALID_AMOUNT);
    }
    if (tx.fee() < p.minFee() || tx.fee() < 0) {
      return Optional.of(RejectReason.FEE_TOO_LOW);
    }
    if (Arrays.equals(tx.sender().bytes(), tx.recipient().bytes())) {
      return Optional.of(RejectReason.SELF_TRANSACTION);
    }
    try {
      Math.addExact(tx.amount(), tx.fee());
    } catch (ArithmeticException e) {
      return Optional.of(RejectReason.INVALID_AMOUNT);
    }
    return Optional.empty();
  }
}
