package dev.cairn.chain;

import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The chain owner's mailbox messages. Each command that answers carries a {@link
 * CompletableFuture}; {@link ChainState#handle} handles every variant in one exhaustive switch, so
 * a new command does not compile until it is handled.
 */
public sealed interface ChainCommand {
  /** Fails the reply, if the command has one (the owner's handler threw or the owner stopped). */
  default void fail(Throwable t) {}

  /**
   * A command that answers through {@code reply}: every record with a reply implements it, so
   * failing one is written once.
   *
   * @param <R> the answer
   */
  sealed interface Request<R> extends ChainCommand {
    /** The answer, completed by the owner. */
    CompletableFuture<R> reply();

    @Override
    default void fail(Throwable t) {
      reply().completeExceptionally(t);
    }
  }

  /**
   * Import a block from {@code source} (a peer id, "miner", "api"; for logs). {@code requested}:
   * the block belongs to a header chain that sync has already shown to carry more work than our
   * head, so it is stored even while its branch is still lighter. An unrequested block (gossip,
   * miner, API, orphan-ancestor fetch) on a branch with less work than the head is not stored
   * ({@link ImportResult.Outcome#LIGHT_BRANCH}).
   */
  record ImportBlock(
      Block block, String source, boolean requested, CompletableFuture<ImportResult> reply)
      implements Request<ImportResult> {}

  /**
   * Import blocks sync asked for ({@code requested} as in {@link ImportBlock}), in order, up to the
   * first that is neither imported nor a duplicate, committed as one group ({@link
   * ChainState#importBatch}): one fsync, one published view, one head change. The reply holds a
   * result per block tried, and comes once they are durable.
   */
  record ImportBatch(List<Block> blocks, String source, CompletableFuture<List<ImportResult>> reply)
      implements Request<List<ImportResult>> {
    /** Copies the list. */
    public ImportBatch {
      blocks = List.copyOf(blocks);
    }
  }

  /**
   * Check and pool a transaction. With {@code verified} the sender of the command has checked the
   * stateless rules and the signature (off the owner thread); the owner checks only the state.
   */
  record SubmitTransaction(
      Transaction transaction,
      String source,
      boolean verified,
      CompletableFuture<Mempool.Admission> reply)
      implements Request<Mempool.Admission> {
    /** An unverified transaction: the owner checks everything. */
    public SubmitTransaction(
        Transaction transaction, String source, CompletableFuture<Mempool.Admission> reply) {
      this(transaction, source, false, reply);
    }
  }

  /** A stored block (canonical or side) by hash. */
  record GetBlock(Hash hash, CompletableFuture<Optional<Block>> reply)
      implements Request<Optional<Block>> {}

  /**
   * Stored blocks (canonical or side) by hash, in order, stopping at the first one not held, after
   * {@link ChainState#MAX_BLOCKS}, and before their encodings exceed {@code maxBytes} (the first
   * block always comes): what a peer's blocks-by-hash request needs, in one mailbox round trip.
   */
  record GetBlocks(List<Hash> hashes, long maxBytes, CompletableFuture<List<Block>> reply)
      implements Request<List<Block>> {}

  /** The canonical block at a height. */
  record GetBlockByHeight(long height, CompletableFuture<Optional<Block>> reply)
      implements Request<Optional<Block>> {}

  /** A canonical or pending transaction by id. */
  record GetTransaction(Hash id, CompletableFuture<Optional<TxLookup>> reply)
      implements Request<Optional<TxLookup>> {}

  /** An account at the head. */
  record GetAccount(Address address, CompletableFuture<Optional<Account>> reply)
      implements Request<Optional<Account>> {}

  /**
   * Pooled transactions, best fee first: all of them or only {@code sender}'s (in nonce order when
   * a sender is given), at most {@code max}.
   */
  record GetMempool(Address sender, int max, CompletableFuture<List<Transaction>> reply)
      implements Request<List<Transaction>> {}

  /** The pooled transactions with their ids (computed at admission, none here). */
  record GetPooledWithIds(CompletableFuture<List<Map.Entry<Hash, Transaction>>> reply)
      implements Request<List<Map.Entry<Hash, Transaction>>> {}

  /** A block locator of the canonical chain: head, then exponentially spaced, then genesis. */
  record Locator(CompletableFuture<List<Hash>> reply) implements Request<List<Hash>> {}

  /**
   * Canonical headers after the first locator hash on our canonical chain (after genesis if none),
   * at most {@code max} (capped at {@link ChainState#MAX_HEADERS}).
   */
  record HeadersAfterLocator(
      List<Hash> locator, int max, CompletableFuture<List<BlockHeader>> reply)
      implements Request<List<BlockHeader>> {}

  /**
   * Canonical blocks from {@code fromHeight}, at most {@code count} (capped at {@link
   * ChainState#MAX_BLOCKS}), stopping before their encodings exceed {@code maxBytes} (the first
   * block always comes).
   */
  record BlocksByRange(
      long fromHeight, int count, long maxBytes, CompletableFuture<List<Block>> reply)
      implements Request<List<Block>> {
    /** At most {@link ChainState#MAX_RANGE_BYTES}. */
    public BlocksByRange(long fromHeight, int count, CompletableFuture<List<Block>> reply) {
      this(fromHeight, count, ChainState.MAX_RANGE_BYTES, reply);
    }
  }

  /**
   * The {@link ForkBase} of the stored header {@code hash} (canonical or side, not invalid): what a
   * sync needs to check a peer's headers that descend from it. Empty if unknown or invalid.
   */
  record ForkBaseOf(Hash hash, CompletableFuture<Optional<ForkBase>> reply)
      implements Request<Optional<ForkBase>> {}

  /** A block template on the head paying {@code miner}. */
  record BlockTemplate(Address miner, CompletableFuture<Template> reply)
      implements Request<Template> {}

  /** Calls {@code listener} on the owner thread after each head change. */
  record SubscribeHeadChanges(Consumer<HeadChange> listener, CompletableFuture<Void> reply)
      implements Request<Void> {}

  /** Stops calling {@code listener}. */
  record UnsubscribeHeadChanges(Consumer<HeadChange> listener) implements ChainCommand {}

  /** The clock moved to {@code nowMillis}: expire mempool entries and orphans. */
  record Tick(long nowMillis) implements ChainCommand {}
}
