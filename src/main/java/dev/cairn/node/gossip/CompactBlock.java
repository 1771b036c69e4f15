package dev.cairn.node.gossip;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import java.util.List;

/**
 * A block as it travels on the blocks topic: its header and the short id ({@link ShortIds}) of each
 * of its transactions, in block order. The receiver rebuilds the body from its mempool and fetches
 * what it lacks ({@link CompactRelay}); the header's Merkle root decides whether the rebuilt body
 * is the block's.
 *
 * @param header the block's header
 * @param shortIdBytes bytes per short id, 1..{@link ShortIds#MAX_BYTES}
 * @param shortIds one per transaction, in block order (not copied: treat as immutable)
 */
public record CompactBlock(BlockHeader header, int shortIdBytes, long[] shortIds) {
  public CompactBlock {
    if (shortIdBytes < 1 || shortIdBytes > ShortIds.MAX_BYTES) {
      throw new IllegalArgumentException("short ids of " + shortIdBytes + " bytes");
    }
  }

  /** The compact form of {@code block} with short ids of {@code bytes} bytes. */
  public static CompactBlock of(Block block, int bytes) {
    ShortIds ids = ShortIds.of(block.hash(), bytes);
    List<Transaction> txs = block.transactions();
    long[] s = new long[txs.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = ids.of(txs.get(i).id());
    }
    return new CompactBlock(block.header(), bytes, s);
  }

  /** The compact form of {@code block} with {@link ShortIds#DEFAULT_BYTES}-byte short ids. */
  public static CompactBlock of(Block block) {
    return of(block, ShortIds.DEFAULT_BYTES);
  }

  /** The block's hash (its header's). */
  public Hash hash() {
    return header.hash();
  }

  /** The short-id function of this block. */
  public ShortIds ids() {
    return ShortIds.of(hash(), shortIdBytes);
  }

  /** Transactions in the block. */
  public int count() {
    return shortIds.length;
  }
}
