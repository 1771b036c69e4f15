package dev.cairn.chain.state;

import dev.cairn.chain.consensus.BlockValidator;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.TransactionRules;
import dev.cairn.chain.consensus.ValidationResult;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Transaction;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The state transition: applying a block's transactions in order, then crediting reward plus fees
 * to the miner. Pure: reads through an {@link AccountReader}, writes nothing, returns the {@link
 * StateDelta} and its {@link Undo}. Per transaction it checks {@link TransactionRules}, then:
 * sender exists, nonce equals the account's (below: {@code NONCE_REPLAYED}, above: {@code
 * NONCE_GAP}), balance covers amount + fee, the recipient's balance does not overflow.
 */
public final class StateTransition {
  private StateTransition() {}

  /** Header in context, body, then state: everything a block must pass to join the chain. */
  public static ApplyResult validateAndApply(
      Block block, HeaderContext ctx, AccountReader state, NetworkParams p) {
    ValidationResult header = BlockValidator.validateHeader(block.header(), ctx, p);
    if (!header.accepted()) {
      return new ApplyResult.Rejected(header, -1);
    }
    ValidationResult body = BlockValidator.validateBody(block);
    if (!body.accepted()) {
      return new ApplyResult.Rejected(body, -1);
    }
    return applyBlock(block, state, p);
  }

  /**
   * Applies the transactions and the miner credit. Assumes the header and body passed {@link
   * BlockValidator}.
   */
  public static ApplyResult applyBlock(Block block, AccountReader state, NetworkParams p) {
    return applyBlock(block, state, p, Transaction::hasValidSignature);
  }

  /**
   * As {@link #applyBlock(Block, AccountReader, NetworkParams)}, checking each signature with
   * {@code verifier} (the chain's signature cache) in place of {@link
   * Transaction#hasValidSignature()}.
   */
  public static ApplyResult applyBlock(
      Block block, AccountReader state, NetworkParams p, Predicate<Transaction> verifier) {
    Overlay overlay = new Overlay(state);
    long fees = 0;
    for (int i = 0; i < block.transactions().size(); i++) {
      Transaction tx = block.transactions().get(i);
      ValidationResult r = apply(tx, overlay, p, verifier);
      if (!r.accepted()) {
        return new ApplyResult.Rejected(r, i);
      }
      fees += tx.fee(); // cannot overflow alone: checked below with the reward
      if (fees < 0) {
        return rejected(RejectReason.REWARD_OVERFLOW, "fees overflow", i);
      }
    }
    long reward = p.reward(block.header().height());
    long credit;
    try {
      credit = Math.addExact(reward, fees);
    } catch (ArithmeticException e) {
      return rejected(RejectReason.REWARD_OVERFLOW, "reward + fees overflow", -1);
    }
    if (credit > 0) {
      Address miner = block.header().miner();
      Account m = overlay.read(miner).orElse(new Account(0, 0));
      try {
        overlay.write(miner, new Account(Math.addExact(m.balance(), credit), m.nonce()));
      } catch (ArithmeticException e) {
        return rejected(RejectReason.BALANCE_OVERFLOW, "miner balance overflows", -1);
      }
    }
    return new ApplyResult.Applied(
        new StateDelta(overlay.writes), new Undo(block.hash(), overlay.before), reward, fees);
  }

  private static ApplyResult rejected(RejectReason reason, String detail, int index) {
    return new ApplyResult.Rejected(ValidationResult.reject(reason, detail), index);
  }

  /**
   * Checks one transaction against {@code state} as the next one from its sender (what a mempool
   * does on entry); the nonce must equal the account's.
   */
  public static ValidationResult checkTransaction(
      Transaction tx, AccountReader state, NetworkParams p) {
    return apply(tx, new Overlay(state), p, Transaction::hasValidSignature);
  }

  private static ValidationResult apply(
      Transaction tx, Overlay overlay, NetworkParams p, Predicate<Transaction> verifier) {
    Optional<RejectReason> stateless = TransactionRules.checkCheap(tx, p);
    if (stateless.isPresent()) {
      return ValidationResult.reject(stateless.get(), tx.toString());
    }
    if (!verifier.test(tx)) {
      return ValidationResult.reject(RejectReason.BAD_SIGNATURE, tx.toString());
    }
    Address from = tx.sender();
    Optional<Account> maybeSender = overlay.read(from);
    if (maybeSender.isEmpty()) {
      return ValidationResult.reject(RejectReason.UNKNOWN_SENDER, "no account " + from);
    }
    Account sender = maybeSender.get();
    int cmp = Long.compareUnsigned(tx.nonce(), sender.nonce());
    if (cmp < 0) {
      return ValidationResult.reject(
          RejectReason.NONCE_REPLAYED, "nonce " + tx.nonce() + ", account at " + sender.nonce());
    }
    if (cmp > 0) {
      return ValidationResult.reject(
          RejectReason.NONCE_GAP, "nonce " + tx.nonce() + ", account at " + sender.nonce());
    }
    long cost = tx.amount() + tx.fee(); // TransactionRules checked it does not overflow
    if (sender.balance() < cost) {
      return ValidationResult.reject(
          RejectReason.INSUFFICIENT_BALANCE, "balance " + sender.balance() + " < " + cost);
    }
    Account recipient = overlay.read(tx.recipient()).orElse(new Account(0, 0));
    long credited;
    try {
      credited = Math.addExact(recipient.balance(), tx.amount());
    } catch (ArithmeticException e) {
      return ValidationResult.reject(RejectReason.BALANCE_OVERFLOW, "recipient balance overflows");
    }
    overlay.write(from, new Account(sender.balance() - cost, sender.nonce() + 1));
    overlay.write(tx.recipient(), new Account(credited, recipient.nonce()));
    return ValidationResult.ACCEPT;
  }

  /**
   * Writes over a reader, remembering each account's first value. Each account is read from the
   * reader at most once per block (a RocksDB get in the node): the value before the first write is
   * the one read just before it, and the reader does not change while a transition reads it.
   */
  private static final class Overlay {
    private final AccountReader base;
    private final Map<Address, Account> writes = new LinkedHashMap<>();
    private final Map<Address, Optional<Account>> before = new LinkedHashMap<>();
    private final Map<Address, Optional<Account>> baseReads = new HashMap<>();

    Overlay(AccountReader base) {
      this.base = base;
    }

    Optional<Account> read(Address a) {
      Account w = writes.get(a);
      return w != null ? Optional.of(w) : baseRead(a);
    }

    private Optional<Account> baseRead(Address a) {
      Optional<Account> v = baseReads.get(a);
      if (v == null) {
        v = base.account(a);
        baseReads.put(a, v);
      }
      return v;
    }

    void write(Address a, Account account) {
      if (!before.containsKey(a)) {
        before.put(a, baseRead(a));
      }
      writes.put(a, account);
    }
  }
}
