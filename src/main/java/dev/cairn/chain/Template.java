package dev.cairn.chain;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Transaction;
import java.util.List;

/**
 * A block to mine on the current head: the header with nonce 0 (and a correct Merkle root,
 * difficulty and timestamp), its transactions, and what the miner will be paid.
 */
public record Template(BlockHeader header, List<Transaction> transactions, long reward, long fees) {
  /** Copies the list. */
  public Template {
    transactions = List.copyOf(transactions);
  }

  /** The block with {@code nonce}. */
  public Block block(long nonce) {
    return new Block(header.withNonce(nonce), transactions);
  }
}
