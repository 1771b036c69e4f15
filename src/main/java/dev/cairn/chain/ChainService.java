package dev.cairn.chain;

import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.TransactionRules;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoreException;
import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The single owner of the chain: the store, the header index, fork choice, the orphan pool and the
 * mempool. An {@link Owner} on one PLATFORM thread, {@code chain-owner} (RocksDB's JNI calls would
 * pin a virtual thread, and validation is CPU-bound), takes {@link ChainCommand}s from a bounded
 * mailbox and steps {@link ChainState}. Nothing else touches chain state; readers use {@link
 * #view()}.
 *
 * <p><b>Mailbox:</b> {@link ChainConfig#mailboxCapacity()} commands (1,024 by default). Full-queue
 * policy: local callers ({@link #importBlock}, {@link #submitTransaction} and the queries) get
 * {@link FullPolicy#BACK_PRESSURE}, they wait until there is room; gossip-fed callers use {@link
 * #offerBlock}/{@link #offerTransaction}, {@link FullPolicy#BUSY}: they never block and answer
 * {@code BUSY} at once when the queue is full, so the caller can drop the message (and penalise a
 * peer that floods). A one-second {@link ChainCommand.Tick} comes from the shared scheduler and is
 * dropped when the mailbox is full (the next one comes).
 *
 * <p><b>Failures:</b> a {@link RuntimeException} from a command fails that command's reply, is
 * logged at ERROR, and the loop goes on. A {@link StoreException} or an {@link Error} stops the
 * loop: the store cannot be trusted to take more writes; a restart reopens at the last batch.
 *
 * <p><b>Transactions:</b> {@link #submitTransaction} and {@link #offerTransaction} do the cheap
 * work and the signature on the CALLING thread (an API handler, a gossip worker), never on the
 * owner: the stateless rules, then a pre-check of the account against the store's committed
 * accounts (RocksDB reads are thread-safe; during a reorg the committed state may be an
 * intermediate one, which only makes the pre-check stricter or looser for a moment — the owner
 * checks the state again), then the signature. Only a transaction that passed all three reaches the
 * mailbox, marked verified. An unfunded sender's transaction therefore costs a database read, never
 * a signature verification nor a mailbox slot.
 */
public final class ChainService implements AutoCloseable {
  private static final Duration TICK = Duration.ofSeconds(1);

  private final ChainState state;
  private final ChainStore store;
  private final Owner<ChainCommand> owner;
  private final Clock clock;
  private final NetworkParams params;
  private final ChainConfig config;
  private final Predicate<Transaction> verifier;
  private final ExecutorService verifiers =
      Executors.newFixedThreadPool(
          Runtime.getRuntime().availableProcessors(),
          Thread.ofPlatform().name("chain-verify-", 0).daemon().factory());

  /** Off-owner reads of the store hold the read lock; {@link #close} takes the write lock. */
  private final ReentrantReadWriteLock storeGuard = new ReentrantReadWriteLock();

  private ChainService(
      ChainState state,
      ChainStore store,
      NetworkParams params,
      ChainConfig config,
      Clock clock,
      Predicate<Transaction> verifier) {
    this.state = state;
    this.store = store;
    this.clock = clock;
    this.params = params;
    this.config = config;
    this.verifier = verifier;
    this.owner =
        Owner.<ChainCommand>builder("chain-owner", config.mailboxCapacity(), state::handle)
            .platform()
            .fullPolicy(FullPolicy.BACK_PRESSURE)
            .onStart(state::takeOwnership)
            .failWith(ChainCommand::fail)
            .closedError(ChainStoppedException::new)
            // the store cannot be trusted to take more writes; a restart reopens at the last batch
            .fatal(e -> e instanceof StoreException)
            .tick(TICK, TICK, () -> new ChainCommand.Tick(clock.millis()))
            .build();
  }

  /**
   * Opens the store in {@code dataDir} (created if missing), opens the chain and starts the owner
   * thread and a one-second {@link ChainCommand.Tick} from {@code clock}.
   */
  public static ChainService start(
      NetworkParams params, ChainConfig config, Path dataDir, Clock clock) {
    return start(params, config, dataDir, clock, Transaction::hasValidSignature);
  }

  /**
   * As {@link #start(NetworkParams, ChainConfig, Path, Clock)} with the transaction signature check
   * {@code verifier} (tests inject one that records the threads it runs on).
   */
  public static ChainService start(
      NetworkParams params,
      ChainConfig config,
      Path dataDir,
      Clock clock,
      Predicate<Transaction> verifier) {
    ChainStore store = ChainStore.open(dataDir, config.syncWrites());
    ChainState state;
    try {
      state = ChainState.open(params, config, store, clock.millis(), verifier);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    ChainService s = new ChainService(state, store, params, config, clock, verifier);
    s.owner.start();
    return s;
  }

  /** The latest snapshot; never blocks. */
  public ChainView view() {
    return state.view();
  }

  /** The network's parameters. */
  public NetworkParams params() {
    return state.params();
  }

  /** The clock the chain judges timestamps by (sync checks headers against the same one). */
  public Clock clock() {
    return clock;
  }

  /** The failure that stopped the owner, if any. */
  public Optional<Throwable> failure() {
    return owner.failure();
  }

  /** True while the owner thread runs. */
  public boolean isRunning() {
    return owner.isRunning();
  }

  /** Queues {@code cmd}, waiting for room (back-pressure); fails it if the service has stopped. */
  public void send(ChainCommand cmd) {
    if (!owner.send(cmd)) {
      cmd.fail(
          Thread.currentThread().isInterrupted()
              ? new InterruptedException("interrupted waiting for the chain's mailbox")
              : new ChainStoppedException(owner.failure().orElse(null)));
    }
  }

  /**
   * {@link #send}s the command {@code make} builds around a new reply future; returns the future.
   */
  private <R> CompletableFuture<R> request(Function<CompletableFuture<R>, ChainCommand> make) {
    CompletableFuture<R> f = new CompletableFuture<>();
    send(make.apply(f));
    return f;
  }

  /**
   * Imports an unrequested block from a local source (miner, API, orphan-ancestor fetch), with
   * back-pressure. On a branch with less work than the head it is not stored ({@code
   * LIGHT_BRANCH}).
   */
  public CompletableFuture<ImportResult> importBlock(Block block, String source) {
    return request(f -> new ChainCommand.ImportBlock(block, source, false, f));
  }

  /**
   * Imports a block that sync asked for: part of a header chain already shown to carry more work
   * than our head. Stored as a side block even while its branch is still lighter; no depth bound.
   * With back-pressure.
   */
  public CompletableFuture<ImportResult> importRequested(Block block, String source) {
    return request(f -> new ChainCommand.ImportBlock(block, source, true, f));
  }

  /**
   * Imports blocks that sync asked for, in order, as {@link #importRequested(Block, String)} does
   * one by one, stopping after the first that is neither imported nor a duplicate; the blocks are
   * committed as one group (one fsync for all, one published view, one head change: {@link
   * ChainState#importBatch}) and the answer, a result per block tried, comes once they are durable.
   * One mailbox round trip for the batch. With back-pressure.
   */
  public CompletableFuture<List<ImportResult>> importRequested(List<Block> blocks, String source) {
    return request(f -> new ChainCommand.ImportBatch(blocks, source, f));
  }

  /**
   * Verifies the signatures of {@code blocks}' transactions on the verifier threads ({@code
   * chain-verify-<i>}, one per processor, never the owner), one task per block, and remembers those
   * that pass in the chain's {@link SignatureCache}, so that importing the blocks afterwards spares
   * the owner those checks; the owner still checks everything else, in order. Sync workers call it
   * on a downloaded batch before handing it over, so batch N+1 verifies while the owner imports
   * batch N. Blocks the caller until done. A bad signature is not remembered: the import rejects
   * the block as before. Returns the number of signatures that failed.
   */
  public int preverify(List<Block> blocks) throws InterruptedException {
    List<Callable<Integer>> tasks = new ArrayList<>(blocks.size());
    for (Block b : blocks) {
      tasks.add(
          () -> {
            int bad = 0;
            for (Transaction tx : b.transactions()) {
              if (!state.signatures().verify(tx)) {
                bad++;
              }
            }
            return bad;
          });
    }
    int bad = 0;
    try {
      for (Future<Integer> f : verifiers.invokeAll(tasks)) {
        bad += f.get();
      }
    } catch (ExecutionException | RejectedExecutionException e) {
      // a verifier failed or the service closed: the owner verifies what is not cached
    }
    return bad;
  }

  /** The chain's signature cache (its counters show what {@link #preverify} saved). */
  public SignatureCache signatures() {
    return state.signatures();
  }

  /** The base for checking a peer's headers that descend from the stored header {@code hash}. */
  public CompletableFuture<Optional<ForkBase>> forkBase(Hash hash) {
    return request(f -> new ChainCommand.ForkBaseOf(hash, f));
  }

  /**
   * Imports an unrequested block from gossip: never blocks; {@code BUSY} at once if the mailbox is
   * full. On a branch with less work than the head it is not stored ({@code LIGHT_BRANCH}).
   */
  public CompletableFuture<ImportResult> offerBlock(Block block, String source) {
    CompletableFuture<ImportResult> f = new CompletableFuture<>();
    if (!owner.send(new ChainCommand.ImportBlock(block, source, false, f), FullPolicy.BUSY)) {
      f.complete(ImportResult.of(ImportResult.Outcome.BUSY, block.hash(), "mailbox full"));
    }
    return f;
  }

  /**
   * Submits a local transaction, with back-pressure. The cheap checks and the signature run on the
   * calling thread first (see the class comment); a refusal completes at once.
   */
  public CompletableFuture<Mempool.Admission> submitTransaction(Transaction tx) {
    Mempool.Admission refused = screen(tx);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    return request(f -> new ChainCommand.SubmitTransaction(tx, "local", true, f));
  }

  /**
   * Submits a gossiped transaction: the cheap checks and the signature on the calling thread, then
   * never blocks; {@code BUSY} if the mailbox is full.
   */
  public CompletableFuture<Mempool.Admission> offerTransaction(Transaction tx, String source) {
    Mempool.Admission refused = screen(tx);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    CompletableFuture<Mempool.Admission> f = new CompletableFuture<>();
    if (!owner.send(new ChainCommand.SubmitTransaction(tx, source, true, f), FullPolicy.BUSY)) {
      f.complete(new Mempool.Admission(Mempool.Outcome.BUSY, tx.id(), null, "mailbox full"));
    }
    return f;
  }

  /**
   * The checks a transaction passes before it may take a mailbox slot, cheapest first: stateless
   * rules, the account at the committed head (known, nonce, balance for this transaction alone),
   * then the signature. Null if it passed (or the service stopped: the send fails it).
   */
  private Mempool.Admission screen(Transaction tx) {
    Optional<RejectReason> cheap = TransactionRules.checkCheap(tx, params);
    if (cheap.isPresent()) {
      return Mempool.Admission.rejected(tx.id(), cheap.get(), "stateless rule");
    }
    if (!storeGuard.readLock().tryLock()) {
      return null; // closing
    }
    try {
      if (!owner.isRunning()) {
        return null;
      }
      Optional<Mempool.Admission> pre =
          Mempool.precheck(tx, store.accountReader(), config.mempool());
      if (pre.isPresent()) {
        return pre.get();
      }
    } finally {
      storeGuard.readLock().unlock();
    }
    // through the chain's signature cache: a block carrying it later does not verify it again
    if (!state.signatures().verify(tx, verifier)) {
      return Mempool.Admission.rejected(tx.id(), RejectReason.BAD_SIGNATURE, "bad signature");
    }
    return null;
  }

  /** A stored block by hash. */
  public CompletableFuture<Optional<Block>> block(Hash hash) {
    return request(f -> new ChainCommand.GetBlock(hash, f));
  }

  /**
   * Stored blocks by hash in one owner call: in order, stopping at the first one not held, after
   * {@link ChainState#MAX_BLOCKS}, and before their encodings exceed {@code maxBytes} (the first
   * block always comes).
   */
  public CompletableFuture<List<Block>> blocks(List<Hash> hashes, long maxBytes) {
    return request(f -> new ChainCommand.GetBlocks(List.copyOf(hashes), maxBytes, f));
  }

  /** The canonical block at a height. */
  public CompletableFuture<Optional<Block>> blockAt(long height) {
    return request(f -> new ChainCommand.GetBlockByHeight(height, f));
  }

  /** A transaction, canonical or pending. */
  public CompletableFuture<Optional<TxLookup>> transaction(Hash id) {
    return request(f -> new ChainCommand.GetTransaction(id, f));
  }

  /** An account at the head. */
  public CompletableFuture<Optional<Account>> account(Address address) {
    return request(f -> new ChainCommand.GetAccount(address, f));
  }

  /** Pooled transactions, best fee first ({@code sender} null) or one sender's in nonce order. */
  public CompletableFuture<List<Transaction>> mempool(Address sender, int max) {
    return request(f -> new ChainCommand.GetMempool(sender, max, f));
  }

  /** The pooled transactions with their ids (the mempool computed each once, at admission). */
  public CompletableFuture<List<Map.Entry<Hash, Transaction>>> mempoolWithIds() {
    return request(f -> new ChainCommand.GetPooledWithIds(f));
  }

  /** A locator of the canonical chain. */
  public CompletableFuture<List<Hash>> locator() {
    return request(f -> new ChainCommand.Locator(f));
  }

  /** Canonical headers after a locator. */
  public CompletableFuture<List<BlockHeader>> headersAfter(List<Hash> locator, int max) {
    return request(f -> new ChainCommand.HeadersAfterLocator(locator, max, f));
  }

  /** Canonical blocks by height range (at most {@link ChainState#MAX_RANGE_BYTES}). */
  public CompletableFuture<List<Block>> blocksByRange(long from, int count) {
    return blocksByRange(from, count, ChainState.MAX_RANGE_BYTES);
  }

  /**
   * Canonical blocks by height range, stopping before their encodings exceed {@code maxBytes} (the
   * first block always comes).
   */
  public CompletableFuture<List<Block>> blocksByRange(long from, int count, long maxBytes) {
    return request(f -> new ChainCommand.BlocksByRange(from, count, maxBytes, f));
  }

  /** A block template paying {@code miner}. */
  public CompletableFuture<Template> blockTemplate(Address miner) {
    return request(f -> new ChainCommand.BlockTemplate(miner, f));
  }

  /** Calls {@code listener} on the owner thread after each head change (it must not block). */
  public CompletableFuture<Void> subscribeHeadChanges(Consumer<HeadChange> listener) {
    return request(f -> new ChainCommand.SubscribeHeadChanges(listener, f));
  }

  /** Stops calling {@code listener}. */
  public void unsubscribeHeadChanges(Consumer<HeadChange> listener) {
    send(new ChainCommand.UnsubscribeHeadChanges(listener));
  }

  /** Stops the ticks and the owner (queued commands fail), then closes the store. */
  @Override
  public void close() {
    verifiers.shutdownNow();
    owner.close();
    storeGuard.writeLock().lock();
    try {
      store.close();
    } finally {
      storeGuard.writeLock().unlock();
    }
  }
}
