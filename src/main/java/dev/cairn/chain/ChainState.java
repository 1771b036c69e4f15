package dev.cairn.chain;

import dev.cairn.chain.ChainCommand.BlockTemplate;
import dev.cairn.chain.ChainCommand.BlocksByRange;
import dev.cairn.chain.ChainCommand.ForkBaseOf;
import dev.cairn.chain.ChainCommand.GetAccount;
import dev.cairn.chain.ChainCommand.GetBlock;
import dev.cairn.chain.ChainCommand.GetBlockByHeight;
import dev.cairn.chain.ChainCommand.GetBlocks;
import dev.cairn.chain.ChainCommand.GetMempool;
import dev.cairn.chain.ChainCommand.GetPooledWithIds;
import dev.cairn.chain.ChainCommand.GetTransaction;
import dev.cairn.chain.ChainCommand.HeadersAfterLocator;
import dev.cairn.chain.ChainCommand.ImportBatch;
import dev.cairn.chain.ChainCommand.ImportBlock;
import dev.cairn.chain.ChainCommand.Locator;
import dev.cairn.chain.ChainCommand.SubmitTransaction;
import dev.cairn.chain.ChainCommand.SubscribeHeadChanges;
import dev.cairn.chain.ChainCommand.Tick;
import dev.cairn.chain.ChainCommand.UnsubscribeHeadChanges;
import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.StateTransition;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoredHeader;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The chain's logic: the header index, fork choice, reorgs, the orphan pool and the mempool over a
 * {@link ChainStore}. A plain class: {@link ChainService} steps it on its owner thread, tests call
 * {@link #handle} (or the methods behind it) on the test thread. Every mutator checks that it runs
 * on the owner thread.
 *
 * <p>Every change of the store is one write batch: importing a block that extends the head (block,
 * index entry, canonical height, accounts, undo, transaction index, head), storing a side block,
 * and each reorg step (undo one block and move the head back; apply one block and move the head
 * forward). On open it checks the store's head against the canonical index and the accounts against
 * the supply, then finishes any reorg a crash interrupted by switching to the best valid branch.
 *
 * <p>Its parts, package-private and stepped only through it: {@link StoreCheck} (the check on
 * open), {@link HeaderIndex} (headers, candidates, canonical chain, retarget anchors), {@link
 * InvalidBlocks} (the invalid-block memory), {@link ReorgExecutor} (fork choice applied, along
 * {@link dev.cairn.chain.consensus.Reorg#plan}) and {@link ChainQueries} (the read-only answers).
 * This class keeps the mailbox, the import rules, transactions, time and the published view.
 */
public final class ChainState {
  private static final Logger LOG = LogManager.getLogger();

  /** Most headers in one {@link HeadersAfterLocator} answer. */
  public static final int MAX_HEADERS = 2_000;

  /** Most blocks in one {@link BlocksByRange} answer. */
  public static final int MAX_BLOCKS = 128;

  /** Most bytes of blocks in one {@link BlocksByRange} answer unless the command asks for fewer. */
  public static final long MAX_RANGE_BYTES = 16L << 20;

  /** Most hashes of a locator that are looked at. */
  public static final int MAX_LOCATOR = 64;

  private final NetworkParams params;
  private final ChainConfig config;
  private final ChainStore store;
  private final AccountReader accounts;
  private final HeaderIndex index;
  private final Mempool mempool;
  private final OrphanPool orphans;
  private final InvalidBlocks invalidBlocks;
  private final ReorgExecutor reorgs;
  private final ChainQueries queries;
  private final HeadListeners listeners = new HeadListeners();

  /** Header validations run by imports (tests: a remembered invalid block is not one of them). */
  private long headerValidations;

  private long now;
  private Thread owner;
  private long viewVersion;
  private volatile ChainView view;
  private final SignatureCache signatures;

  private ChainState(
      NetworkParams params,
      ChainConfig config,
      ChainStore store,
      HeaderIndex index,
      long nowMillis,
      Predicate<Transaction> verifier) {
    this.params = params;
    this.config = config;
    this.store = store;
    this.accounts = store.accountReader();
    this.index = index;
    this.signatures = SignatureCache.defaults(Transaction::hasValidSignature);
    // admission fills the block path's cache: a block of admitted transactions verifies none again
    this.mempool = new Mempool(params, config.mempool(), tx -> signatures.verify(tx, verifier));
    this.orphans =
        new OrphanPool(config.maxOrphans(), config.maxOrphanBytes(), config.orphanExpiryMillis());
    this.invalidBlocks = new InvalidBlocks(config.maxInvalidBlocks(), orphans);
    this.reorgs = new ReorgExecutor(params, store, accounts, index, invalidBlocks, signatures);
    this.queries = new ChainQueries(params, store, accounts, index, mempool);
    this.now = nowMillis;
    this.owner = Thread.currentThread();
  }

  /**
   * Opens the chain in {@code store}: initialises a new store with genesis, or checks an existing
   * one (network, head, canonical index, supply) and completes an interrupted reorg. The calling
   * thread becomes the owner. {@code verifier} checks the signatures of transactions that reach the
   * owner unverified ({@link #submitTransaction(Transaction)}): {@code
   * Transaction::hasValidSignature}, or in tests one that counts. The signatures of transactions in
   * blocks are checked with {@link Transaction#hasValidSignature} through a {@link SignatureCache}
   * ({@link #signatures}), which the admission checks fill: a block of transactions the mempool
   * admitted (or sync verified ahead) verifies none of them again.
   */
  public static ChainState open(
      NetworkParams params,
      ChainConfig config,
      ChainStore store,
      long nowMillis,
      Predicate<Transaction> verifier) {
    HeaderIndex index = StoreCheck.open(params, store);
    ChainState s = new ChainState(params, config, store, index, nowMillis, verifier);
    s.publish();
    s.activateBestChain();
    LOG.info(
        "chain {} opened at height {} head {} ({} blocks indexed)",
        params.name(),
        index.head().height(),
        index.head().hash(),
        index.size());
    return s;
  }

  /** Makes the calling thread the owner (the service's thread takes over after opening). */
  void takeOwnership() {
    owner = Thread.currentThread();
  }

  private void checkOwnerThread() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException(
          "chain state touched on "
              + Thread.currentThread().getName()
              + ", owner is "
              + owner.getName());
    }
  }

  // ---- the mailbox

  /** Handles one command; replies complete before this returns. */
  public void handle(ChainCommand command) {
    checkOwnerThread();
    switch (command) {
      case ImportBlock(Block block, String source, boolean requested, var reply) ->
          reply.complete(importBlock(block, source, requested));
      case ImportBatch(List<Block> blocks, String source, var reply) ->
          reply.complete(importBatch(blocks, source));
      case SubmitTransaction(Transaction tx, String source, boolean verified, var reply) ->
          reply.complete(submitTransaction(tx, verified));
      case GetBlock(Hash hash, var reply) -> reply.complete(store.block(hash));
      case GetBlocks(List<Hash> hashes, long max, var r) -> r.complete(queries.blocks(hashes, max));
      case GetBlockByHeight(long height, var reply) -> reply.complete(blockAt(height));
      case GetTransaction(Hash id, var reply) -> reply.complete(queries.transaction(id));
      case GetAccount(Address address, var reply) -> reply.complete(accounts.account(address));
      case GetMempool(Address sender, int max, var reply) ->
          reply.complete(
              sender == null
                  ? mempool.best(max)
                  : mempool.pending(sender).stream().limit(max).toList());
      case GetPooledWithIds(var reply) -> reply.complete(mempool.withIds());
      case Locator(var reply) -> reply.complete(locator());
      case HeadersAfterLocator(List<Hash> locator, int max, var reply) ->
          reply.complete(headersAfter(locator, max));
      case BlocksByRange(long from, int count, long maxBytes, var reply) ->
          reply.complete(blocksByRange(from, count, maxBytes));
      case ForkBaseOf(Hash hash, var reply) -> reply.complete(forkBase(hash));
      case BlockTemplate(Address miner, var reply) -> reply.complete(template(miner));
      case SubscribeHeadChanges(Consumer<HeadChange> listener, var reply) -> {
        listeners.add(listener);
        reply.complete(null);
      }
      case UnsubscribeHeadChanges(Consumer<HeadChange> listener) -> listeners.remove(listener);
      case Tick(long nowMillis) -> tick(nowMillis);
    }
  }

  /** The latest snapshot (any thread). */
  public ChainView view() {
    return view;
  }

  /** The network. */
  public NetworkParams params() {
    return params;
  }

  /** The mempool (owner thread only). */
  Mempool mempool() {
    checkOwnerThread();
    return mempool;
  }

  /** Number of orphans. */
  int orphanCount() {
    return orphans.size();
  }

  // ---- import

  /** Imports an unrequested block: {@link #importBlock(Block, String, boolean)} with false. */
  public ImportResult importBlock(Block block, String source) {
    return importBlock(block, source, false);
  }

  /**
   * Imports a block: see {@link ImportResult.Outcome}. Connects waiting orphans after it. {@code
   * requested} as in {@link ImportBlock}: only an unrequested block can be {@code LIGHT_BRANCH}.
   */
  public ImportResult importBlock(Block block, String source, boolean requested) {
    checkOwnerThread();
    ImportResult r = importOne(block, source, requested);
    if (r.imported()) {
      connectOrphans(r.block());
    }
    return r;
  }

  private void connectOrphans(Hash parent) {
    ArrayDeque<Hash> parents = new ArrayDeque<>();
    parents.add(parent);
    while (!parents.isEmpty()) {
      for (OrphanPool.Orphan o : orphans.takeChildren(parents.poll())) {
        ImportResult r = importOne(o.block(), o.source(), o.requested());
        LOG.debug("orphan {} from {} connected: {}", o.hash(), o.source(), r.outcome());
        if (r.imported()) {
          parents.add(o.hash());
        }
      }
    }
    publishUnlessGrouped();
  }

  /**
   * Imports blocks sync asked for in order (each as {@link #importBlock(Block, String, boolean)}
   * with {@code requested}), up to the first that is neither imported nor a duplicate, as one
   * group: each block's write batch stays atomic, but the log is fsynced once, the view published
   * once and the listeners told once ({@link HeadListeners}; {@link ChainStore#beginGroup}). The
   * results come after that fsync; a side block or a reorg closes the group first.
   */
  public List<ImportResult> importBatch(List<Block> blocks, String source) {
    checkOwnerThread();
    List<ImportResult> results = new ArrayList<>(blocks.size());
    openGroup();
    try {
      for (Block block : blocks) {
        ImportResult r = importBlock(block, source, true);
        results.add(r);
        if (!r.imported() && r.outcome() != Outcome.DUPLICATE) {
          break;
        }
      }
    } finally {
      closeGroup();
    }
    return results;
  }

  private void openGroup() {
    store.beginGroup();
    listeners.openGroup(view);
  }

  /** One fsync for the group's writes, then one view and one head change for its blocks. */
  private void closeGroup() {
    ChainView before = listeners.groupBefore();
    List<Hash> connected = listeners.closeGroup();
    store.commitGroup();
    publish();
    if (!connected.isEmpty()) {
      notifyHeadChange(before, List.of(), connected);
    }
  }

  private void publishUnlessGrouped() {
    if (!listeners.grouping()) {
      publish();
    }
  }

  /**
   * The order is cheapest first: the invalid-block memory, the index, the orphan pool, the header
   * checks, the work of the branch (an unrequested lighter branch stops here), the body's stateless
   * checks, and only then the state (extending the head, or in a reorg).
   */
  private ImportResult importOne(Block block, String source, boolean requested) {
    Hash hash = block.hash();
    BlockHeader h = block.header();
    InvalidBlocks.Failure known = invalidBlocks.get(hash);
    if (known != null) {
      return new ImportResult(
          Outcome.INVALID, hash, known.reason(), "known invalid: " + known.detail(), null);
    }
    InvalidBlocks.Failure bad = invalidBlocks.get(h.parent());
    if (bad != null) {
      return ImportResult.of(
          Outcome.INVALID_ANCESTOR, hash, "parent " + h.parent() + " is known invalid");
    }
    StoredHeader stored = index.get(hash);
    if (stored != null) {
      return stored.status() != BlockStatus.INVALID
          ? ImportResult.of(Outcome.DUPLICATE, hash, "already stored")
          : ImportResult.of(Outcome.INVALID, hash, "known invalid block");
    }
    if (orphans.contains(hash)) {
      return ImportResult.of(Outcome.DUPLICATE, hash, "already in the orphan pool");
    }
    StoredHeader parent = index.get(h.parent());
    if (parent == null) {
      return orphan(block, hash, source, requested);
    }
    if (parent.status() == BlockStatus.INVALID) {
      return ImportResult.of(
          Outcome.INVALID_ANCESTOR, hash, "parent " + parent.hash() + " is invalid");
    }
    headerValidations++;
    ImportResult headerFailure =
        invalidBlocks.checkHeader(h, hash, index.context(parent, now), params);
    if (headerFailure != null) {
      return headerFailure;
    }
    BigInteger work = parent.cumulativeWork().add(CompactTarget.work(h.bits()));
    StoredHeader head = index.head();
    if (!requested && work.compareTo(head.cumulativeWork()) < 0) {
      // Orphans waiting on this block carry proven work too: a heavier branch that arrives
      // newest first (gossip, then ancestors fetched by hash) is stored when its oldest block
      // comes.
      BigInteger withOrphans = work.add(orphans.bestDescendantWork(hash));
      if (withOrphans.compareTo(head.cumulativeWork()) < 0) {
        return ImportResult.of(
            Outcome.LIGHT_BRANCH,
            hash,
            "branch work " + withOrphans + " is below the head's " + head.cumulativeWork());
      }
    }
    ImportResult bodyFailure = invalidBlocks.checkBody(block, hash);
    if (bodyFailure != null) {
      return bodyFailure;
    }
    if (parent.hash().equals(head.hash())) {
      return extendHead(block, hash, work, source);
    }
    if (listeners.grouping()) {
      closeGroup(); // a side block or a reorg is announced on its own, as outside a group
      openGroup();
    }
    StoredHeader entry = new StoredHeader(hash, h, work, BlockStatus.STORED);
    store.write(store.batch().putBlock(hash, block).putHeader(entry), false);
    index.add(entry);
    ChainView before = view;
    List<Hash> disconnected = activateBestChain().disconnected();
    StoredHeader after = index.get(hash);
    if (after.status() == BlockStatus.INVALID) {
      InvalidBlocks.Failure f = invalidBlocks.get(hash);
      return f != null
          ? new ImportResult(Outcome.INVALID, hash, f.reason(), f.detail(), null)
          : ImportResult.of(Outcome.INVALID_ANCESTOR, hash, "descends from an invalid block");
    }
    if (index.isCanonical(hash)) {
      LOG.debug(
          "block {} from {} is the head after a reorg of {}", hash, source, disconnected.size());
      return ImportResult.of(Outcome.IMPORTED_HEAD, hash, "reorg of " + disconnected.size());
    }
    if (before != view) {
      LOG.debug("block {} from {} stored; the head moved", hash, source);
    }
    return ImportResult.of(Outcome.IMPORTED_SIDE, hash, "side branch at height " + h.height());
  }

  /** Number of header validations so far (for tests). */
  long headerValidations() {
    return headerValidations;
  }

  /** Whether {@code hash} is remembered as invalid (for tests). */
  boolean knownInvalid(Hash hash) {
    return invalidBlocks.get(hash) != null;
  }

  private ImportResult orphan(Block block, Hash hash, String source, boolean requested) {
    ImportResult r = orphans.hold(block, hash, source, requested, now, params.powLimit());
    if (r.outcome() == Outcome.ORPHANED) {
      publishUnlessGrouped();
    }
    return r;
  }

  private ImportResult extendHead(Block block, Hash hash, BigInteger work, String source) {
    ApplyResult ar = StateTransition.applyBlock(block, accounts, params, signatures);
    if (ar instanceof ApplyResult.Rejected r) {
      // The body matched the header's Merkle root and the state is the parent's: the hash
      // commits to this failure.
      InvalidBlocks.Failure f = InvalidBlocks.Failure.of(r);
      invalidBlocks.remember(hash, f);
      return new ImportResult(Outcome.INVALID, hash, f.reason(), f.detail(), null);
    }
    ApplyResult.Applied applied = (ApplyResult.Applied) ar;
    StoredHeader entry = new StoredHeader(hash, block.header(), work, BlockStatus.VALID);
    ChainView before = view;
    ChainStore.Batch b = store.batch().putBlock(hash, block).putHeader(entry);
    reorgs.writeConnect(b, entry, block, applied);
    index.add(entry);
    index.moveHeadForward(entry);
    mempool.revalidate(applied.delta().writes().keySet(), accounts);
    if (listeners.grouping()) {
      listeners.groupConnected(hash);
    } else {
      publish();
      notifyHeadChange(before, List.of(), List.of(hash));
    }
    LOG.debug("block {} from {} extends the head to {}", hash, source, entry.height());
    return ImportResult.of(Outcome.IMPORTED_HEAD, hash, "height " + entry.height());
  }

  // ---- fork choice and reorgs

  /**
   * Moves the head to the best valid branch ({@link ReorgExecutor#activateBestChain}); if the head
   * moved, returns the transactions of abandoned blocks to the mempool, revalidates the touched
   * accounts, publishes and tells the listeners.
   */
  private ReorgExecutor.Switch activateBestChain() {
    ChainView before = view;
    ReorgExecutor.Switch s = reorgs.activateBestChain();
    StoredHeader head = index.head();
    if (before != null && !before.headHash().equals(head.hash())) {
      Set<Address> touched = s.touched();
      for (Transaction tx : s.abandoned()) {
        touched.add(tx.sender());
      }
      mempool.readd(s.abandoned(), accounts, now);
      mempool.revalidate(touched, accounts);
      publish();
      notifyHeadChange(before, s.disconnected(), s.connected());
      if (!s.disconnected().isEmpty()) {
        LOG.info(
            "reorg: {} blocks undone, {} applied, head {} at {}",
            s.disconnected().size(),
            s.connected().size(),
            head.hash(),
            head.height());
      }
    }
    return s;
  }

  // ---- transactions

  /**
   * The cache the block path checks signatures through; thread-safe, so sync workers fill it off
   * the owner.
   */
  SignatureCache signatures() {
    return signatures;
  }

  /** Checks (signature included, after the state) and pools a transaction against the head. */
  public Mempool.Admission submitTransaction(Transaction tx) {
    return submitTransaction(tx, false);
  }

  /**
   * Checks and pools a transaction against the head's state; with {@code verified} the caller has
   * checked the stateless rules and the signature already (off this thread) and only the state and
   * the pool's policy are checked here.
   */
  public Mempool.Admission submitTransaction(Transaction tx, boolean verified) {
    checkOwnerThread();
    if (store.txLocation(tx.id()).isPresent()) {
      return Mempool.Admission.rejected(tx.id(), RejectReason.NONCE_REPLAYED, "already in a block");
    }
    Mempool.Admission a =
        verified ? mempool.addVerified(tx, accounts, now) : mempool.add(tx, accounts, now);
    if (a.accepted()) {
      publish();
    }
    return a;
  }

  // ---- queries (ChainQueries)

  /** The canonical block at {@code height}. */
  public Optional<Block> blockAt(long height) {
    return queries.blockAt(height);
  }

  /**
   * The base for checking children of the stored header {@code hash} (as an import checks them):
   * its work, its branch's retarget anchor and its recent timestamps. Empty if the header is
   * unknown or invalid.
   */
  public Optional<ForkBase> forkBase(Hash hash) {
    return queries.forkBase(hash, now);
  }

  /** Head, the 10 blocks below it, then steps doubling, then genesis. */
  public List<Hash> locator() {
    return queries.locator();
  }

  /** Canonical headers after the first locator hash we hold on the canonical chain. */
  public List<BlockHeader> headersAfter(List<Hash> locator, int max) {
    return queries.headersAfter(locator, max);
  }

  /** Canonical blocks from {@code from}, at most {@code count} (and {@link #MAX_BLOCKS}). */
  public List<Block> blocksByRange(long from, int count) {
    return blocksByRange(from, count, MAX_RANGE_BYTES);
  }

  /**
   * Canonical blocks from {@code from}, at most {@code count} (and {@link #MAX_BLOCKS}), stopping
   * before their encodings together exceed {@code maxBytes} (and {@link #MAX_RANGE_BYTES}); the
   * first block always comes, so an answer is never empty for lack of budget. At most one block
   * past the bound is read and dropped.
   */
  public List<Block> blocksByRange(long from, int count, long maxBytes) {
    return queries.blocksByRange(from, count, maxBytes);
  }

  /**
   * A template on the head: timestamp the clock (or just after the median time past), the expected
   * bits, the mempool's best executable transactions within the block limits.
   */
  public Template template(Address miner) {
    checkOwnerThread();
    return queries.template(miner, now);
  }

  // ---- time, snapshot, listeners

  /** The clock moved: expire mempool entries and orphans. */
  public void tick(long nowMillis) {
    checkOwnerThread();
    now = Math.max(now, nowMillis);
    int m = mempool.expire(now);
    int o = orphans.expire(now);
    if (m + o > 0) {
      LOG.debug("expired {} transactions and {} orphans", m, o);
      publish();
    }
  }

  /** Adds a head-change listener (owner thread). */
  public void subscribe(Consumer<HeadChange> listener) {
    checkOwnerThread();
    listeners.add(listener);
  }

  private void notifyHeadChange(ChainView before, List<Hash> disconnected, List<Hash> connected) {
    listeners.tell(new HeadChange(before, view, disconnected, connected, mempool.drainPromoted()));
  }

  private void publish() {
    view = queries.view(config.recentHeaders(), orphans.size(), ++viewVersion);
  }

  /** The head's index entry. */
  StoredHeader head() {
    return index.head();
  }

  /** The account at the head. */
  public Optional<Account> account(Address address) {
    return accounts.account(address);
  }
}
