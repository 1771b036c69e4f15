package dev.cairn.chain.state;

import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Immutable account state in a map: genesis state, tests, and a reference to compare a store with.
 * {@link #apply} and {@link #revert} return new instances.
 */
public final class InMemoryAccounts implements AccountReader {
  private final Map<Address, Account> accounts;

  private InMemoryAccounts(Map<Address, Account> accounts) {
    this.accounts = Map.copyOf(accounts);
  }

  /** State holding exactly {@code accounts}. */
  public static InMemoryAccounts of(Map<Address, Account> accounts) {
    return new InMemoryAccounts(accounts);
  }

  /** The genesis state of a network: each allocation as an account with nonce 0. */
  public static InMemoryAccounts genesis(NetworkParams p) {
    Map<Address, Account> m = new HashMap<>();
    for (NetworkParams.Allocation a : p.allocations()) {
      m.put(a.address(), new Account(a.balance(), 0));
    }
    return new InMemoryAccounts(m);
  }

  @Override
  public Optional<Account> account(Address address) {
    return Optional.ofNullable(accounts.get(address));
  }

  /** All accounts (unmodifiable). */
  public Map<Address, Account> accounts() {
    return accounts;
  }

  /** Sum of all balances (exact; overflow would be a bug). */
  public long totalSupply() {
    long sum = 0;
    for (Account a : accounts.values()) {
      sum = Math.addExact(sum, a.balance());
    }
    return sum;
  }

  /** This state with the delta's writes. */
  public InMemoryAccounts apply(StateDelta delta) {
    Map<Address, Account> m = new HashMap<>(accounts);
    m.putAll(delta.writes());
    return new InMemoryAccounts(m);
  }

  /** This state with one block undone: each touched account back to its prior value or gone. */
  public InMemoryAccounts revert(Undo undo) {
    Map<Address, Account> m = new HashMap<>(accounts);
    undo.previous()
        .forEach(
            (address, prior) ->
                prior.ifPresentOrElse(a -> m.put(address, a), () -> m.remove(address)));
    return new InMemoryAccounts(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InMemoryAccounts other && accounts.equals(other.accounts);
  }

  @Override
  public int hashCode() {
    return accounts.hashCode();
  }

  @Override
  public String toString() {
    return "InMemoryAccounts" + accounts;
  }
}
