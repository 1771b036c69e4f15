package dev.cairn.chain;

import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;

/**
 * A transaction found by id: in a canonical block ({@code block}, {@code height}, {@code index}) or
 * pending in the mempool ({@code block} null, {@code height} and {@code index} -1).
 */
public record TxLookup(Transaction transaction, Hash block, long height, int index) {
  /** True if it waits in the mempool. */
  public boolean pending() {
    return block == null;
  }
}
