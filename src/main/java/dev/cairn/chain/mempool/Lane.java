package dev.cairn.chain.mempool;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One lane of the {@link Mempool} (the executable pool or the nonce-gap queue): transactions
 * indexed by id and by (sender, nonce), kept in one order. On the chain owner thread only.
 */
final class Lane {
  /** One pending transaction with its arrival. */
  record Entry(Transaction tx, Hash id, Address sender, long arrival, long seq) {
    long fee() {
      return tx.fee();
    }

    long nonce() {
      return tx.nonce();
    }

    long cost() {
      return tx.amount() + tx.fee(); // no overflow: the stateless rules checked it
    }
  }

  private static final TreeMap<Long, Entry> EMPTY = new TreeMap<>();

  /** Cheapest first; among equal fees the newest first (evicted before older ones). */
  static final Comparator<Entry> EVICTION_ORDER =
      Comparator.comparingLong(Entry::fee).thenComparing(e -> -e.seq());

  /** Oldest first (the gap queue's eviction order). */
  static final Comparator<Entry> ARRIVAL_ORDER = Comparator.comparingLong(e -> e.seq());

  /** Best first: highest fee, then earliest arrival. */
  static final Comparator<Entry> MINING_ORDER =
      Comparator.comparingLong((Entry e) -> -e.fee()).thenComparingLong(e -> e.seq());

  final Map<Hash, Entry> byId = new HashMap<>();
  final Map<Address, TreeMap<Long, Entry>> bySender = new HashMap<>();
  final TreeSet<Entry> order;

  Lane(Comparator<Entry> order) {
    this.order = new TreeSet<>(order);
  }

  int size() {
    return byId.size();
  }

  TreeMap<Long, Entry> of(Address sender) {
    return bySender.getOrDefault(sender, EMPTY);
  }

  Entry at(Address sender, long nonce) {
    return of(sender).get(nonce);
  }

  void put(Entry e) {
    byId.put(e.id(), e);
    bySender.computeIfAbsent(e.sender(), k -> new TreeMap<>()).put(e.nonce(), e);
    order.add(e);
  }

  void remove(Entry e) {
    byId.remove(e.id());
    order.remove(e);
    TreeMap<Long, Entry> seq = bySender.get(e.sender());
    seq.remove(e.nonce());
    if (seq.isEmpty()) {
      bySender.remove(e.sender());
    }
  }

  long cost(Address sender) {
    long sum = 0;
    for (Entry e : of(sender).values()) {
      sum = saturatedAdd(sum, e.cost());
    }
    return sum;
  }

  /** {@code a + b}, or {@link Long#MAX_VALUE} if that overflows. */
  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
