package dev.cairn.chain.store;

import dev.cairn.chain.consensus.ChainTip;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.math.BigInteger;

/**
 * An entry of the header index: a block's header, the cumulative work of the chain ending in it and
 * its {@link BlockStatus}.
 */
public record StoredHeader(
    Hash hash, BlockHeader header, BigInteger cumulativeWork, BlockStatus status) {
  /** The block's height. */
  public long height() {
    return header.height();
  }

  /** The same entry with another status. */
  public StoredHeader withStatus(BlockStatus s) {
    return new StoredHeader(hash, header, cumulativeWork, s);
  }

  /** As a fork-choice candidate. */
  public ChainTip tip() {
    return new ChainTip(hash, header.height(), cumulativeWork);
  }
}
