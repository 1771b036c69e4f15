package dev.cairn.chain.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A header and its transactions. There is no coinbase transaction: the state transition credits the
 * block reward plus the fees to {@code header.miner()}.
 */
public record Block(BlockHeader header, List<Transaction> transactions) {
  /** Copies the list. */
  public Block {
    transactions = List.copyOf(transactions);
  }

  /** The header's hash. */
  public Hash hash() {
    return header.hash();
  }

  /** The Merkle root of the transactions' ids (what the header must carry). */
  public Hash computeMerkleRoot() {
    List<Hash> ids = new ArrayList<>(transactions.size());
    for (Transaction tx : transactions) {
      ids.add(tx.id());
    }
    return Merkle.root(ids);
  }

  /** Encoded size in bytes. */
  public int encodedSize() {
    return ChainCodec.BLOCK_FIXED_BYTES + transactions.size() * Limits.TRANSACTION_BYTES;
  }
}
