package dev.cairn.chain.mempool;

import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.TransactionRules;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Transactions waiting for a block. Owned by the chain owner thread (not thread-safe; the owner
 * calls it from {@code ChainState}).
 *
 * <ul>
 *   <li><b>Order:</b> by fee rate. Every transaction has the same encoded size (145 bytes), so the
 *       fee rate is proportional to the fee and the pool compares fees; ties go to the earlier
 *       arrival.
 *   <li><b>Nonces:</b> per sender, a sequence starting at the account's nonce is executable; a
 *       transaction after a gap waits (at most {@link Config#maxNonceAhead} above the account nonce
 *       and {@link Config#maxPerSender} per sender). Only executable sequences reach a template.
 *   <li><b>Replacement:</b> a transaction with the same sender and nonce replaces the pooled one if
 *       its fee is higher by at least {@link Config#replacementBumpPercent} percent (and by at
 *       least one unit).
 *   <li><b>Size bound:</b> at {@link Config#maxTransactions}, a newcomer must pay a higher fee than
 *       the cheapest pooled transaction, which is evicted together with its sender's later nonces
 *       (they could no longer run); otherwise the newcomer is refused ({@code POOL_FULL}).
 *   <li><b>Expiry:</b> a transaction older than {@link Config#expiryMillis} is dropped on a tick,
 *       with its sender's later nonces.
 *   <li><b>Head changes:</b> {@link #revalidate} drops what the new state makes invalid (nonce
 *       already used, sender gone); {@link #readd} takes back transactions of abandoned blocks.
 * </ul>
 */
public final class Mempool {
  /**
   * Bounds and policy.
   *
   * @param maxTransactions most transactions held
   * @param maxPerSender most transactions held per sender
   * @param maxNonceAhead how far above the account nonce a waiting transaction may be
   * @param expiryMillis how long a transaction may wait
   * @param replacementBumpPercent fee increase a replacement must offer
   */
  public record Config(
      int maxTransactions,
      int maxPerSender,
      long maxNonceAhead,
      long expiryMillis,
      int replacementBumpPercent) {
    /** 10,000 transactions, 64 per sender and ahead, three hours, 10 % bump. */
    public static Config defaults() {
      return new Config(10_000, 64, 64, 3 * 3600_000L, 10);
    }
  }

  /** What happened to a submitted transaction. */
  public enum Outcome {
    /** Pooled and executable (its nonce sequence has no gap). */
    ADDED,
    /** Pooled but waiting for an earlier nonce. */
    QUEUED,
    /** Pooled in place of a cheaper transaction with the same sender and nonce. */
    REPLACED,
    /** Already pooled. */
    DUPLICATE,
    /** Breaks a rule ({@link Admission#reason()}): penalise the sender of it. */
    REJECTED,
    /** Same sender and nonce as a pooled transaction, without a high enough fee bump. */
    UNDERPRICED,
    /** The pool is full and the fee does not beat the cheapest pooled transaction. */
    POOL_FULL,
    /** The sender already has the most pooled transactions allowed. */
    SENDER_FULL,
    /** The chain owner's mailbox was full; nothing was checked (gossip may drop it). */
    BUSY
  }

  /** The answer to a submission. {@code reason} is set for {@link Outcome#REJECTED}. */
  public record Admission(Outcome outcome, Hash txId, RejectReason reason, String detail) {
    /** True if the transaction is now in the pool. */
    public boolean accepted() {
      return outcome == Outcome.ADDED || outcome == Outcome.QUEUED || outcome == Outcome.REPLACED;
    }
  }

  private static final class Entry {
    final Transaction tx;
    final Hash id;
    final Address sender;
    final long arrival;
    final long seq;

    Entry(Transaction tx, Hash id, Address sender, long arrival, long seq) {
      this.tx = tx;
      this.id = id;
      this.sender = sender;
      this.arrival = arrival;
      this.seq = seq;
    }

    long fee() {
      return tx.fee();
    }

    long nonce() {
      return tx.nonce();
    }
  }

  /** Cheapest first; among equal fees the newest first (evicted before older ones). */
  private static final Comparator<Entry> EVICTION_ORDER =
      Comparator.comparingLong(Entry::fee).thenComparing(e -> -e.seq);

  /** Best first: highest fee, then earliest arrival. */
  private static final Comparator<Entry> MINING_ORDER =
      Comparator.comparingLong((Entry e) -> -e.fee()).thenComparingLong(e -> e.seq);

  private final NetworkParams params;
  private final Config config;
  private final Map<Hash, Entry> byId = new HashMap<>();
  private final Map<Address, TreeMap<Long, Entry>> bySender = new HashMap<>();
  private final TreeSet<Entry> byFee = new TreeSet<>(EVICTION_ORDER);
  private long nextSeq;

  /** An empty pool. */
  public Mempool(NetworkParams params, Config config) {
    this.params = params;
    this.config = config;
  }

  /** The bounds. */
  public Config config() {
    return config;
  }

  /** Number of pooled transactions. */
  public int size() {
    return byId.size();
  }

  /** A pooled transaction. */
  public Optional<Transaction> get(Hash id) {
    return Optional.ofNullable(byId.get(id)).map(e -> e.tx);
  }

  /** True if pooled. */
  public boolean contains(Hash id) {
    return byId.containsKey(id);
  }

  /** At most {@code max} pooled transactions, highest fee first (for display, not for mining). */
  public List<Transaction> best(int max) {
    List<Transaction> out = new ArrayList<>(Math.min(max, byFee.size()));
    Iterator<Entry> it = byFee.descendingIterator();
    while (it.hasNext() && out.size() < max) {
      out.add(it.next().tx);
    }
    return out;
  }

  /** A sender's pooled transactions in nonce order. */
  public List<Transaction> pending(Address sender) {
    TreeMap<Long, Entry> seq = bySender.get(sender);
    return seq == null ? List.of() : seq.values().stream().map(e -> e.tx).toList();
  }

  /**
   * Checks and pools a transaction submitted locally or by a peer: the stateless rules (signature
   * included), then against {@code state} (the head's accounts), then the pool's policy.
   */
  public Admission add(Transaction tx, AccountReader state, long now) {
    Hash id = tx.id();
    if (byId.containsKey(id)) {
      return new Admission(Outcome.DUPLICATE, id, null, "already pooled");
    }
    Optional<RejectReason> stateless = TransactionRules.check(tx, params);
    if (stateless.isPresent()) {
      return new Admission(Outcome.REJECTED, id, stateless.get(), tx.toString());
    }
    return admit(tx, id, state, now);
  }

  /**
   * Takes back the transactions of blocks that left the canonical chain (signatures were checked
   * when the block was), in block order, if they are still valid against the new head's state.
   */
  public void readd(List<Transaction> txs, AccountReader state, long now) {
    for (Transaction tx : txs) {
      Hash id = tx.id();
      if (!byId.containsKey(id)) {
        admit(tx, id, state, now);
      }
    }
  }

  private Admission admit(Transaction tx, Hash id, AccountReader state, long now) {
    Address sender = tx.sender();
    Optional<Account> account = state.account(sender);
    if (account.isEmpty()) {
      return new Admission(Outcome.REJECTED, id, RejectReason.UNKNOWN_SENDER, "no account");
    }
    Account a = account.get();
    if (Long.compareUnsigned(tx.nonce(), a.nonce()) < 0) {
      return new Admission(
          Outcome.REJECTED, id, RejectReason.NONCE_REPLAYED, "account nonce " + a.nonce());
    }
    if (tx.nonce() - a.nonce() > config.maxNonceAhead() || tx.nonce() < 0) {
      return new Admission(
          Outcome.REJECTED,
          id,
          RejectReason.NONCE_GAP,
          "nonce " + tx.nonce() + " too far above the account nonce " + a.nonce());
    }
    if (a.balance() < tx.amount() + tx.fee()) {
      return new Admission(
          Outcome.REJECTED, id, RejectReason.INSUFFICIENT_BALANCE, "balance " + a.balance());
    }
    TreeMap<Long, Entry> seq = bySender.get(sender);
    Entry existing = seq == null ? null : seq.get(tx.nonce());
    if (existing != null) {
      long bump = Math.max(1, existing.fee() / 100 * config.replacementBumpPercent());
      if (tx.fee() < existing.fee() + bump) {
        return new Admission(
            Outcome.UNDERPRICED,
            id,
            null,
            "replacement needs a fee of at least " + (existing.fee() + bump));
      }
      remove(existing);
      insert(tx, id, sender, now);
      return new Admission(Outcome.REPLACED, id, null, "replaced " + existing.id);
    }
    if (seq != null && seq.size() >= config.maxPerSender()) {
      return new Admission(Outcome.SENDER_FULL, id, null, seq.size() + " pooled");
    }
    if (byId.size() >= config.maxTransactions()) {
      Entry cheapest = byFee.first();
      if (tx.fee() <= cheapest.fee()) {
        return new Admission(
            Outcome.POOL_FULL, id, null, "pool full; the cheapest pays " + cheapest.fee());
      }
      removeWithLaterNonces(cheapest);
    }
    insert(tx, id, sender, now);
    boolean executable = true;
    for (long n = a.nonce(); n < tx.nonce(); n++) {
      if (!bySender.get(sender).containsKey(n)) {
        executable = false;
        break;
      }
    }
    return new Admission(executable ? Outcome.ADDED : Outcome.QUEUED, id, null, "");
  }

  /**
   * Drops the transactions the new head's state makes invalid, for the given accounts (those the
   * head change touched): a nonce below the account's (included or replayed), or a sender that no
   * longer exists.
   */
  public void revalidate(Collection<Address> touched, AccountReader state) {
    for (Address sender : touched) {
      TreeMap<Long, Entry> seq = bySender.get(sender);
      if (seq == null) {
        continue;
      }
      Optional<Account> account = state.account(sender);
      long nonce = account.map(Account::nonce).orElse(Long.MAX_VALUE);
      for (Entry e : List.copyOf(seq.headMap(nonce, false).values())) {
        remove(e);
      }
    }
  }

  /** Drops transactions that waited longer than the expiry, with their senders' later nonces. */
  public int expire(long now) {
    List<Entry> old = new ArrayList<>();
    for (Entry e : byId.values()) {
      if (now - e.arrival >= config.expiryMillis()) {
        old.add(e);
      }
    }
    int before = byId.size();
    for (Entry e : old) {
      if (byId.containsKey(e.id)) {
        removeWithLaterNonces(e);
      }
    }
    return before - byId.size();
  }

  /**
   * The transactions for a block template: executable sequences only, highest fee first, each
   * sender's nonces in order, each checked against {@code state} plus the transactions chosen
   * before it (balance, nonce), at most {@code maxCount} and {@code maxBytes} of transactions.
   */
  public List<Transaction> select(AccountReader state, int maxCount, int maxBytes) {
    int limit = Math.min(maxCount, maxBytes / Limits.TRANSACTION_BYTES);
    Map<Address, Account> overlay = new HashMap<>();
    PriorityQueue<Entry> ready = new PriorityQueue<>(MINING_ORDER);
    for (Map.Entry<Address, TreeMap<Long, Entry>> s : bySender.entrySet()) {
      Optional<Account> a = state.account(s.getKey());
      if (a.isPresent()) {
        Entry first = s.getValue().get(a.get().nonce());
        if (first != null) {
          ready.add(first);
        }
      }
    }
    List<Transaction> out = new ArrayList<>();
    while (!ready.isEmpty() && out.size() < limit) {
      Entry e = ready.poll();
      Account from = read(overlay, state, e.sender);
      if (from == null || from.nonce() != e.nonce()) {
        continue;
      }
      long cost = e.tx.amount() + e.fee();
      if (from.balance() < cost) {
        continue; // this sender's sequence stops here
      }
      Address to = e.tx.recipient();
      Account before = read(overlay, state, to);
      Account recipient = before == null ? new Account(0, 0) : before;
      long credited;
      try {
        credited = Math.addExact(recipient.balance(), e.tx.amount());
      } catch (ArithmeticException overflow) {
        continue;
      }
      overlay.put(e.sender, new Account(from.balance() - cost, from.nonce() + 1));
      overlay.put(to, new Account(credited, recipient.nonce())); // never the sender itself
      out.add(e.tx);
      Entry next = bySender.get(e.sender).get(e.nonce() + 1);
      if (next != null) {
        ready.add(next);
      }
    }
    return out;
  }

  private static Account read(Map<Address, Account> overlay, AccountReader state, Address a) {
    Account o = overlay.get(a);
    return o != null ? o : state.account(a).orElse(null);
  }

  private void insert(Transaction tx, Hash id, Address sender, long now) {
    Entry e = new Entry(tx, id, sender, now, nextSeq++);
    byId.put(id, e);
    bySender.computeIfAbsent(sender, k -> new TreeMap<>()).put(tx.nonce(), e);
    byFee.add(e);
  }

  private void remove(Entry e) {
    byId.remove(e.id);
    byFee.remove(e);
    TreeMap<Long, Entry> seq = bySender.get(e.sender);
    seq.remove(e.nonce());
    if (seq.isEmpty()) {
      bySender.remove(e.sender);
    }
  }

  private void removeWithLaterNonces(Entry e) {
    TreeMap<Long, Entry> seq = bySender.get(e.sender);
    for (Iterator<Entry> it = List.copyOf(seq.tailMap(e.nonce(), true).values()).iterator();
        it.hasNext(); ) {
      remove(it.next());
    }
  }
}
