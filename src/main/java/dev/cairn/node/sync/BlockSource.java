package dev.cairn.node.sync;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.io.IOException;
import java.util.List;

/**
 * What the sync protocols' server side answers from. Called on the request's stream thread; may
 * block (bounded). {@link ChainBlockSource} answers from the chain; tests substitute hostile ones.
 */
public interface BlockSource {
  /** Our status now. */
  SyncMessage.Status status();

  /** Canonical headers after the fork point of {@code locator}, at most {@code max}. */
  List<BlockHeader> headersAfter(List<Hash> locator, int max) throws IOException;

  /** The blocks named, in order, stopping at the first unknown one. */
  List<Block> blocksByHash(List<Hash> hashes) throws IOException;

  /** Canonical blocks from {@code start}, at most {@code count}. */
  List<Block> blocksByRange(long start, int count) throws IOException;
}
