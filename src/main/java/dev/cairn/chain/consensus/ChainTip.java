package dev.cairn.chain.consensus;

import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.math.BigInteger;

/**
 * A block as a candidate head: its hash, height and the cumulative work of the chain ending in it
 * (the sum of {@link CompactTarget#work} over genesis .. this block).
 */
public record ChainTip(Hash hash, long height, BigInteger cumulativeWork) {
  /** The tip for genesis. */
  public static ChainTip genesis(NetworkParams p) {
    BlockHeader g = p.genesisHeader();
    return new ChainTip(g.hash(), 0, CompactTarget.work(g.bits()));
  }

  /** The tip of {@code child}, whose parent is this tip. */
  public ChainTip extend(BlockHeader child) {
    return new ChainTip(
        child.hash(), child.height(), cumulativeWork.add(CompactTarget.work(child.bits())));
  }
}
