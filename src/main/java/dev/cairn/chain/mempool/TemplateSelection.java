package dev.cairn.chain.mempool;

import dev.cairn.chain.mempool.Lane.Entry;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The choice of pooled transactions for a block template ({@link Mempool#select}): executable
 * sequences only, highest fee first, each sender's nonces in order, each checked against the state
 * plus the transactions chosen before it. Pure: it reads the pool and the state and changes
 * neither.
 */
final class TemplateSelection {
  private TemplateSelection() {}

  /** See {@link Mempool#select}. */
  static List<Transaction> select(Lane pool, AccountReader state, int maxCount, int maxBytes) {
    int limit = Math.min(maxCount, maxBytes / Limits.TRANSACTION_BYTES);
    Map<Address, Account> overlay = new HashMap<>();
    PriorityQueue<Entry> ready = new PriorityQueue<>(Lane.MINING_ORDER);
    for (Map.Entry<Address, TreeMap<Long, Entry>> s : pool.bySender.entrySet()) {
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
      Account from = read(overlay, state, e.sender());
      if (from == null || from.nonce() != e.nonce()) {
        continue;
      }
      long cost = e.tx().amount() + e.fee();
      if (from.balance() < cost) {
        continue; // this sender's sequence stops here
      }
      Address to = e.tx().recipient();
      Account before = read(overlay, state, to);
      Account recipient = before == null ? new Account(0, 0) : before;
      long credited;
      try {
        credited = Math.addExact(recipient.balance(), e.tx().amount());
      } catch (ArithmeticException overflow) {
        continue;
      }
      overlay.put(e.sender(), new Account(from.balance() - cost, from.nonce() + 1));
      overlay.put(to, new Account(credited, recipient.nonce())); // never the sender itself
      out.add(e.tx());
      Entry next = pool.at(e.sender(), e.nonce() + 1);
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
}
