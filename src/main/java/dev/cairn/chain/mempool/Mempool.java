package dev.cairn.chain.mempool;

import static dev.cairn.chain.mempool.Lane.saturatedAdd;

import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.TransactionRules;
import dev.cairn.chain.mempool.Lane.Entry;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Transactions waiting for a block. Owned by the chain owner thread (not thread-safe; the owner
 * calls it from {@code ChainState}), except {@link #precheck}, which is a pure function of its
 * arguments and runs on any thread.
 *
 * <p>Two lanes:
 *
 * <ul>
 *   <li><b>The pool</b> holds only <em>executable</em> transactions: per sender, a run of nonces
 *       starting at the account's nonce, whose amounts plus fees the sender's balance covers
 *       <em>together</em>. Only the pool is mined, relayed and counted as the mempool's size.
 *   <li><b>The gap queue</b> holds transactions whose nonce leaves a gap (at most {@link
 *       Config#maxNonceAhead} above the account nonce). It is small ({@link Config#maxQueued} in
 *       all, {@link Config#maxQueuedPerSender} per sender), its entries expire after {@link
 *       Config#queuedExpiryMillis}, at its bound the OLDEST queued transaction goes (a gap
 *       transaction costs its sender nothing until it is mined, so none may hold its place against
 *       a newer one), and it never takes room from the pool. Gap transactions are not relayed
 *       ({@link Outcome#QUEUED}); when the missing nonce arrives or a new head makes them
 *       executable they move into the pool and are reported as promoted ({@link
 *       Admission#promoted()}, {@link #drainPromoted()}), to be relayed then.
 * </ul>
 *
 * <ul>
 *   <li><b>Order:</b> by fee rate. Every transaction has the same encoded size (145 bytes), so the
 *       fee rate is proportional to the fee and the pool compares fees; ties go to the earlier
 *       arrival.
 *   <li><b>Balance:</b> cumulative. A transaction is admitted only if the sender's balance covers
 *       amount plus fee of all its pending transactions (pool and queue) plus this one (minus the
 *       one it replaces). Head changes check it again ({@link #revalidate}).
 *   <li><b>Checks, cheapest first:</b> stateless rules, then the account (known, nonce, balance),
 *       and only then the signature ({@link #add}); callers that verified the signature off the
 *       owner thread use {@link #addVerified}.
 *   <li><b>Replacement:</b> a transaction with the same sender and nonce replaces the pending one
 *       if its fee is higher by at least {@link Config#replacementBumpPercent} percent (and by at
 *       least one unit).
 *   <li><b>Size bound:</b> at {@link Config#maxTransactions}, a newcomer must pay a higher fee than
 *       the cheapest pooled transaction of another sender, which is evicted together with its
 *       sender's later nonces (they could no longer run); otherwise the newcomer is refused ({@code
 *       POOL_FULL}).
 *   <li><b>Expiry:</b> a pooled transaction older than {@link Config#expiryMillis} is dropped on a
 *       tick, with its sender's later nonces; a queued one after {@link Config#queuedExpiryMillis}.
 *   <li><b>Head changes:</b> {@link #revalidate} re-sorts the touched senders' transactions against
 *       the new state: spent nonces and what the balance no longer covers are dropped, what became
 *       executable is promoted, what lost its predecessor waits in the queue; {@link #readd} takes
 *       back transactions of abandoned blocks.
 * </ul>
 *
 * <p>Its parts: {@link Lane} (one lane's indexes and order, used for the pool and the queue) and
 * {@link TemplateSelection} (the choice for a block template); the admission, replacement,
 * promotion, revalidation and expiry rules stay here.
 */
public final class Mempool {
  /**
   * Bounds and policy.
   *
   * @param maxTransactions most executable transactions pooled
   * @param maxPerSender most pooled transactions per sender
   * @param maxNonceAhead how far above the account nonce a queued transaction may be
   * @param expiryMillis how long a pooled transaction may wait
   * @param replacementBumpPercent fee increase a replacement must offer
   * @param maxQueued most transactions in the gap queue (the oldest goes at the bound)
   * @param maxQueuedPerSender most queued transactions per sender
   * @param queuedExpiryMillis how long a queued transaction may wait for its gap to close
   */
  public record Config(
      int maxTransactions,
      int maxPerSender,
      long maxNonceAhead,
      long expiryMillis,
      int replacementBumpPercent,
      int maxQueued,
      int maxQueuedPerSender,
      long queuedExpiryMillis) {
    /** The pool's bounds with a gap queue of 64 (8 per sender) and a 10-minute queue expiry. */
    public Config(
        int maxTransactions,
        int maxPerSender,
        long maxNonceAhead,
        long expiryMillis,
        int replacementBumpPercent) {
      this(
          maxTransactions,
          maxPerSender,
          maxNonceAhead,
          expiryMillis,
          replacementBumpPercent,
          64,
          8,
          Math.min(expiryMillis, 600_000));
    }

    /**
     * 10,000 pooled transactions, 64 per sender, three hours, 10 % bump; a gap queue of 512
     * transactions, 8 per sender, at most 64 nonces ahead, 10 minutes.
     */
    public static Config defaults() {
      return new Config(10_000, 64, 64, 3 * 3600_000L, 10, 512, 8, 600_000);
    }
  }

  /** What happened to a submitted transaction. */
  public enum Outcome {
    /** Pooled and executable (its nonce sequence has no gap): relay it. */
    ADDED,
    /** Waiting in the gap queue for an earlier nonce: NOT relayed (until promoted). */
    QUEUED,
    /** Pooled in place of a cheaper transaction with the same sender and nonce: relay it. */
    REPLACED,
    /** Already pending. */
    DUPLICATE,
    /** Breaks a rule ({@link Admission#reason()}): penalise the sender of it. */
    REJECTED,
    /** Same sender and nonce as a pending transaction, without a high enough fee bump. */
    UNDERPRICED,
    /** The pool is full and the fee does not beat the cheapest pooled transaction. */
    POOL_FULL,
    /** The sender already has the most pending transactions allowed. */
    SENDER_FULL,
    /** The chain owner's mailbox was full; nothing was checked (gossip may drop it). */
    BUSY
  }

  /**
   * The answer to a submission. {@code reason} is set for {@link Outcome#REJECTED}; {@code
   * promoted} lists the queued transactions this one made executable (now pooled: relay them).
   */
  public record Admission(
      Outcome outcome, Hash txId, RejectReason reason, String detail, List<Transaction> promoted) {
    /** Copies the list. */
    public Admission {
      promoted = List.copyOf(promoted);
    }

    /** An answer that promoted nothing. */
    public Admission(Outcome outcome, Hash txId, RejectReason reason, String detail) {
      this(outcome, txId, reason, detail, List.of());
    }

    /** A {@link Outcome#REJECTED} answer for {@code reason}. */
    public static Admission rejected(Hash txId, RejectReason reason, String detail) {
      return new Admission(Outcome.REJECTED, txId, reason, detail);
    }

    /** True if the transaction is now pending (pooled or queued). */
    public boolean accepted() {
      return outcome == Outcome.ADDED || outcome == Outcome.QUEUED || outcome == Outcome.REPLACED;
    }

    /** True if the transaction is pooled and executable: it may be relayed. */
    public boolean relayable() {
      return outcome == Outcome.ADDED || outcome == Outcome.REPLACED;
    }
  }

  private final NetworkParams params;
  private final Config config;
  private final Predicate<Transaction> verifier;
  private final Lane pool = new Lane(Lane.EVICTION_ORDER);
  private final Lane queue = new Lane(Lane.ARRIVAL_ORDER);
  private final List<Transaction> promotedSinceDrain = new ArrayList<>();
  private long nextSeq;

  /** An empty pool that verifies signatures with {@link Transaction#hasValidSignature()}. */
  public Mempool(NetworkParams params, Config config) {
    this(params, config, Transaction::hasValidSignature);
  }

  /** An empty pool whose {@link #add} verifies signatures with {@code verifier}. */
  public Mempool(NetworkParams params, Config config, Predicate<Transaction> verifier) {
    this.params = params;
    this.config = config;
    this.verifier = verifier;
  }

  /** Number of pooled (executable) transactions. */
  public int size() {
    return pool.size();
  }

  /** Number of transactions in the gap queue. */
  public int queuedSize() {
    return queue.size();
  }

  /** A pending (pooled or queued) transaction. */
  public Optional<Transaction> get(Hash id) {
    Entry e = pool.byId.get(id);
    if (e == null) {
      e = queue.byId.get(id);
    }
    return Optional.ofNullable(e).map(x -> x.tx());
  }

  /**
   * The pooled (executable) transactions with their ids, as a list of pairs: the ids were computed
   * once, at admission, so a caller that matches many transactions by id (compact block rebuild)
   * hashes none of them. A list rather than a map: the chain owner only copies references.
   */
  public List<Map.Entry<Hash, Transaction>> withIds() {
    List<Map.Entry<Hash, Transaction>> out = new ArrayList<>(pool.size());
    for (Entry e : pool.byId.values()) {
      out.add(Map.entry(e.id(), e.tx()));
    }
    return out;
  }

  /** True if pending (pooled or queued). */
  public boolean contains(Hash id) {
    return pool.byId.containsKey(id) || queue.byId.containsKey(id);
  }

  /** True if waiting in the gap queue. */
  public boolean isQueued(Hash id) {
    return queue.byId.containsKey(id);
  }

  /** At most {@code max} pooled transactions, highest fee first (for display, not for mining). */
  public List<Transaction> best(int max) {
    List<Transaction> out = new ArrayList<>(Math.min(max, pool.size()));
    Iterator<Entry> it = pool.order.descendingIterator();
    while (it.hasNext() && out.size() < max) {
      out.add(it.next().tx());
    }
    return out;
  }

  /** A sender's pending transactions (pooled, then queued) in nonce order. */
  public List<Transaction> pending(Address sender) {
    TreeMap<Long, Entry> all = new TreeMap<>(pool.of(sender));
    all.putAll(queue.of(sender));
    return all.values().stream().map(e -> e.tx()).toList();
  }

  /**
   * The queued transactions that {@link #revalidate} or {@link #readd} moved into the pool since
   * the last call (to be relayed now), oldest promotion first; empties the list.
   */
  public List<Transaction> drainPromoted() {
    List<Transaction> out = List.copyOf(promotedSinceDrain);
    promotedSinceDrain.clear();
    return out;
  }

  /**
   * The account checks that need no pool and no signature, against {@code state}: sender known,
   * nonce not used and at most {@link Config#maxNonceAhead} ahead, balance covering this
   * transaction alone. A pure function: callers run it on any thread against any consistent reader,
   * before paying for the signature. Empty if the transaction passes.
   */
  public static Optional<Admission> precheck(Transaction tx, AccountReader state, Config config) {
    Optional<Account> account = state.account(tx.sender());
    if (account.isEmpty()) {
      return Optional.of(Admission.rejected(tx.id(), RejectReason.UNKNOWN_SENDER, "no account"));
    }
    Account a = account.get();
    if (Long.compareUnsigned(tx.nonce(), a.nonce()) < 0) {
      return Optional.of(
          Admission.rejected(tx.id(), RejectReason.NONCE_REPLAYED, "account nonce " + a.nonce()));
    }
    if (tx.nonce() - a.nonce() > config.maxNonceAhead() || tx.nonce() < 0) {
      return Optional.of(
          Admission.rejected(
              tx.id(),
              RejectReason.NONCE_GAP,
              "nonce " + tx.nonce() + " too far above the account nonce " + a.nonce()));
    }
    if (a.balance() < tx.amount() + tx.fee()) {
      return Optional.of(
          Admission.rejected(tx.id(), RejectReason.INSUFFICIENT_BALANCE, "balance " + a.balance()));
    }
    return Optional.empty();
  }

  /**
   * Checks and pools a transaction, cheapest checks first: the stateless rules, then against {@code
   * state} (the head's accounts) and the pool's policy, and only then the signature.
   */
  public Admission add(Transaction tx, AccountReader state, long now) {
    Hash id = tx.id();
    if (contains(id)) {
      return new Admission(Outcome.DUPLICATE, id, null, "already pending");
    }
    Optional<RejectReason> stateless = TransactionRules.checkCheap(tx, params);
    if (stateless.isPresent()) {
      return Admission.rejected(id, stateless.get(), tx.toString());
    }
    Optional<Admission> pre = precheck(tx, state, config);
    if (pre.isPresent()) {
      return pre.get();
    }
    if (!verifier.test(tx)) {
      return Admission.rejected(id, RejectReason.BAD_SIGNATURE, tx.toString());
    }
    return admit(tx, id, state, now);
  }

  /**
   * As {@link #add} for a transaction whose stateless rules and signature the caller has already
   * checked (off the owner thread): only the state and the pool's policy are checked here.
   */
  public Admission addVerified(Transaction tx, AccountReader state, long now) {
    Hash id = tx.id();
    if (contains(id)) {
      return new Admission(Outcome.DUPLICATE, id, null, "already pending");
    }
    return admit(tx, id, state, now);
  }

  /**
   * Takes back the transactions of blocks that left the canonical chain (signatures were checked
   * when the block was), in block order, if they are still valid against the new head's state.
   * Follow with {@link #revalidate} of their senders.
   */
  public void readd(List<Transaction> txs, AccountReader state, long now) {
    for (Transaction tx : txs) {
      Hash id = tx.id();
      if (!contains(id)) {
        Admission a = admit(tx, id, state, now);
        notePromoted(a.promoted());
      }
    }
  }

  private Admission admit(Transaction tx, Hash id, AccountReader state, long now) {
    Optional<Admission> pre = precheck(tx, state, config);
    if (pre.isPresent()) {
      return pre.get();
    }
    Address sender = tx.sender();
    Account a = state.account(sender).orElseThrow();
    long next = nextNonce(sender, a.nonce());
    if (tx.nonce() < next) {
      return replace(pool, tx, id, sender, a, now);
    }
    if (queue.at(sender, tx.nonce()) != null) {
      return replace(queue, tx, id, sender, a, now);
    }
    long committed = saturatedAdd(pendingCost(sender), tx.amount() + tx.fee());
    if (committed > a.balance()) {
      return insufficient(id, a, committed);
    }
    if (tx.nonce() == next) {
      Admission refused = makeRoom(sender, tx.fee(), id);
      if (refused != null) {
        return refused;
      }
      pool.put(new Entry(tx, id, sender, now, nextSeq++));
      return new Admission(Outcome.ADDED, id, null, "", promote(sender, a, now));
    }
    // A nonce gap: the small queue, never the pool.
    if (queue.of(sender).size() >= config.maxQueuedPerSender()) {
      return new Admission(
          Outcome.SENDER_FULL, id, null, queue.of(sender).size() + " queued behind a nonce gap");
    }
    if (queue.size() >= config.maxQueued()) {
      queue.remove(queue.order.first());
    }
    queue.put(new Entry(tx, id, sender, now, nextSeq++));
    return new Admission(Outcome.QUEUED, id, null, "waits for nonce " + next);
  }

  /** Replaces the pending transaction of {@code lane} with the same sender and nonce. */
  private Admission replace(
      Lane lane, Transaction tx, Hash id, Address sender, Account a, long now) {
    Entry existing = lane.at(sender, tx.nonce());
    long bump = Math.max(1, existing.fee() / 100 * config.replacementBumpPercent());
    if (tx.fee() < existing.fee() + bump) {
      return new Admission(
          Outcome.UNDERPRICED,
          id,
          null,
          "replacement needs a fee of at least " + (existing.fee() + bump));
    }
    long committed = saturatedAdd(pendingCost(sender) - existing.cost(), tx.amount() + tx.fee());
    if (committed > a.balance()) {
      return insufficient(id, a, committed);
    }
    lane.remove(existing);
    lane.put(new Entry(tx, id, sender, now, nextSeq++));
    return new Admission(
        lane == pool ? Outcome.REPLACED : Outcome.QUEUED, id, null, "replaced " + existing.id());
  }

  private static Admission insufficient(Hash id, Account a, long committed) {
    return Admission.rejected(
        id,
        RejectReason.INSUFFICIENT_BALANCE,
        "balance " + a.balance() + " does not cover the sender's pending " + committed);
  }

  /**
   * Makes room in the pool for an executable transaction of {@code sender} paying {@code fee}: the
   * per-sender bound, then the size bound (evicting the cheapest transaction of another sender with
   * its later nonces). Null if there is room, else the refusal.
   */
  private Admission makeRoom(Address sender, long fee, Hash id) {
    if (pool.of(sender).size() >= config.maxPerSender()) {
      return new Admission(Outcome.SENDER_FULL, id, null, pool.of(sender).size() + " pooled");
    }
    if (pool.size() >= config.maxTransactions()) {
      Entry cheapest = pool.order.first();
      if (fee <= cheapest.fee() || cheapest.sender().equals(sender)) {
        return new Admission(
            Outcome.POOL_FULL, id, null, "pool full; the cheapest pays " + cheapest.fee());
      }
      removeWithLaterNonces(cheapest);
    }
    return null;
  }

  /** Moves the sender's queued transactions that are now executable into the pool. */
  private List<Transaction> promote(Address sender, Account a, long now) {
    List<Transaction> out = new ArrayList<>();
    while (true) {
      long next = nextNonce(sender, a.nonce());
      Entry e = queue.at(sender, next);
      if (e == null) {
        return out;
      }
      queue.remove(e);
      // The queued transactions were affordable together with the pool's when they came; the
      // balance may have moved since.
      if (saturatedAdd(pool.cost(sender), e.cost()) > a.balance()
          || makeRoom(sender, e.fee(), e.id()) != null) {
        return out; // dropped; the later ones wait for it (or expire)
      }
      pool.put(new Entry(e.tx(), e.id(), sender, now, nextSeq++));
      out.add(e.tx());
    }
  }

  private void notePromoted(List<Transaction> txs) {
    if (promotedSinceDrain.size() + txs.size() <= config.maxTransactions()) {
      promotedSinceDrain.addAll(txs);
    } // else nobody drains: they stay pooled and are mined by us, only not relayed
  }

  /** The first nonce after the sender's run of pooled nonces starting at the account's. */
  private long nextNonce(Address sender, long accountNonce) {
    TreeMap<Long, Entry> seq = pool.of(sender);
    long n = accountNonce;
    while (seq.containsKey(n)) {
      n++;
    }
    return n;
  }

  private long pendingCost(Address sender) {
    return saturatedAdd(pool.cost(sender), queue.cost(sender));
  }

  /**
   * Sorts the given senders' transactions (those the head change touched) against the new head's
   * state: a nonce below the account's (included or replayed) or a sender that no longer exists is
   * dropped; from the account's nonce on, a run of nonces the balance covers together is pooled
   * (queued ones that join it are promoted, see {@link #drainPromoted}); the first one the balance
   * does not cover is dropped; what follows a gap waits in the queue (within its bounds).
   */
  public void revalidate(Collection<Address> touched, AccountReader state) {
    for (Address sender : touched) {
      if (!pool.bySender.containsKey(sender) && !queue.bySender.containsKey(sender)) {
        continue;
      }
      TreeMap<Long, Entry> all = new TreeMap<>();
      Set<Entry> wasQueued = new HashSet<>(queue.of(sender).values());
      for (Entry e : List.copyOf(pool.of(sender).values())) {
        pool.remove(e);
        all.put(e.nonce(), e);
      }
      for (Entry e : List.copyOf(queue.of(sender).values())) {
        queue.remove(e);
        all.putIfAbsent(e.nonce(), e);
      }
      Optional<Account> account = state.account(sender);
      if (account.isEmpty()) {
        continue;
      }
      Account a = account.get();
      long expected = a.nonce();
      long budget = a.balance();
      List<Transaction> promoted = new ArrayList<>();
      for (Entry e : all.tailMap(a.nonce(), true).values()) {
        if (e.cost() > budget) {
          continue; // no longer affordable: dropped, and what follows waits behind the gap
        }
        if (e.nonce() == expected
            && pool.of(sender).size() < config.maxPerSender()
            && (!wasQueued.contains(e) || pool.size() < config.maxTransactions())) {
          pool.put(e);
          budget -= e.cost();
          expected++;
          if (wasQueued.contains(e)) {
            promoted.add(e.tx());
          }
        } else if (e.nonce() - a.nonce() <= config.maxNonceAhead()
            && queue.of(sender).size() < config.maxQueuedPerSender()) {
          if (queue.size() >= config.maxQueued()) {
            queue.remove(queue.order.first());
          }
          queue.put(e);
          budget -= e.cost();
        }
      }
      notePromoted(promoted);
    }
  }

  /**
   * Drops pooled transactions that waited longer than {@link Config#expiryMillis}, with their
   * senders' later nonces, and queued ones older than {@link Config#queuedExpiryMillis}.
   */
  public int expire(long now) {
    List<Entry> old = new ArrayList<>();
    for (Entry e : pool.byId.values()) {
      if (now - e.arrival() >= config.expiryMillis()) {
        old.add(e);
      }
    }
    int before = pool.size() + queue.size();
    for (Entry e : old) {
      if (pool.byId.containsKey(e.id())) {
        removeWithLaterNonces(e);
      }
    }
    for (Entry e : List.copyOf(queue.byId.values())) {
      if (now - e.arrival() >= config.queuedExpiryMillis()) {
        queue.remove(e);
      }
    }
    return before - pool.size() - queue.size();
  }

  /**
   * The transactions for a block template: executable sequences only, highest fee first, each
   * sender's nonces in order, each checked against {@code state} plus the transactions chosen
   * before it (balance, nonce), at most {@code maxCount} and {@code maxBytes} of transactions.
   */
  public List<Transaction> select(AccountReader state, int maxCount, int maxBytes) {
    return TemplateSelection.select(pool, state, maxCount, maxBytes);
  }

  private void removeWithLaterNonces(Entry e) {
    for (Entry later : List.copyOf(pool.of(e.sender()).tailMap(e.nonce(), true).values())) {
      pool.remove(later);
    }
  }
}
