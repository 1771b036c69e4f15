package dev.cairn.chain.state;

import dev.cairn.chain.model.Address;
import java.util.Optional;

/**
 * Read access to account state at one point of the chain: an in-memory map in tests, a RocksDB
 * snapshot in the node. Must not change while a {@link StateTransition} reads it.
 */
@FunctionalInterface
public interface AccountReader {
  /** The account, or empty if it does not exist. */
  Optional<Account> account(Address address);
}
