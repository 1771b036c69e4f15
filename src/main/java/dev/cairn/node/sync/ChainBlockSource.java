package dev.cairn.node.sync;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers sync requests from the {@link ChainService}: queries go through its mailbox (blocking the
 * stream's virtual thread, never the owner), the status comes from its snapshot. An answer stops at
 * {@link #MAX_ANSWER_BYTES} of blocks, so one request cannot make us hold more than that.
 */
public final class ChainBlockSource implements BlockSource {
  /** Blocks of at most this many bytes in all go into one answer (the requester asks again). */
  static final int MAX_ANSWER_BYTES = 8 << 20;

  /** How long a request waits for the chain owner. */
  static final long CHAIN_TIMEOUT_SECONDS = 10;

  private final ChainService chain;

  public ChainBlockSource(ChainService chain) {
    this.chain = chain;
  }

  @Override
  public SyncMessage.Status status() {
    return SyncMessage.Status.of(chain.view());
  }

  @Override
  public List<BlockHeader> headersAfter(List<Hash> locator, int max) throws IOException {
    return await(chain.headersAfter(locator, max));
  }

  @Override
  public List<Block> blocksByHash(List<Hash> hashes) throws IOException {
    // one owner call for the whole request (it was one per hash), same stopping rules
    return await(chain.blocks(hashes, MAX_ANSWER_BYTES));
  }

  @Override
  public List<Block> blocksByRange(long start, int count) throws IOException {
    // The chain reads the range with the byte bound: never more than the answer's budget in memory.
    return await(chain.blocksByRange(start, count, MAX_ANSWER_BYTES));
  }

  private static <T> T await(CompletableFuture<T> f) throws IOException {
    try {
      return f.get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("chain service: " + e, e);
    }
  }
}
