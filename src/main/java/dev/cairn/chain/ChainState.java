package dev.cairn.chain;

import dev.cairn.chain.ChainCommand.BlockTemplate;
import dev.cairn.chain.ChainCommand.BlocksByRange;
import dev.cairn.chain.ChainCommand.ForkBaseOf;
import dev.cairn.chain.ChainCommand.GetAccount;
import dev.cairn.chain.ChainCommand.GetBlock;
import dev.cairn.chain.ChainCommand.GetBlockByHeight;
import dev.cairn.chain.ChainCommand.GetMempool;
import dev.cairn.chain.ChainCommand.GetTransaction;
import dev.cairn.chain.ChainCommand.HeadersAfterLocator;
import dev.cairn.chain.ChainCommand.ImportBlock;
import dev.cairn.chain.ChainCommand.Locator;
import dev.cairn.chain.ChainCommand.SubmitTransaction;
import dev.cairn.chain.ChainCommand.SubscribeHeadChanges;
import dev.cairn.chain.ChainCommand.Tick;
import dev.cairn.chain.ChainCommand.UnsubscribeHeadChanges;
import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.BlockValidator;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.Difficulty;
import dev.cairn.chain.consensus.ForkChoice;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.TimeRules;
import dev.cairn.chain.consensus.ValidationResult;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.InMemoryAccounts;
import dev.cairn.chain.state.StateTransition;
import dev.cairn.chain.state.Undo;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoreException;
import dev.cairn.chain.store.StoredHeader;
import dev.cairn.chain.store.TxLocation;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Over 600 lines on purpose for now: it is split along its seams (store check on open, header
 * index and anchors, the import rules (light branch, invalid memory), the reorg executor and the
 * queries) by issue t2-E (the owner redesign), which rewrites every owner at once; splitting it
 * here first would be done twice.
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

  private static final Comparator<StoredHeader> CANDIDATE_ORDER =
      Comparator.comparing(StoredHeader::tip, ForkChoice.ORDER);

  private final NetworkParams params;
  private final ChainConfig config;
  private final ChainStore store;
  private final AccountReader accounts;
  private final Hash genesisHash;
  private final Map<Hash, StoredHeader> index = new HashMap<>();
  private final Map<Hash, List<Hash>> children = new HashMap<>();
  private final TreeSet<StoredHeader> candidates = new TreeSet<>(CANDIDATE_ORDER);
  private final List<Hash> canonical = new ArrayList<>();
  private final Mempool mempool;
  private final OrphanPool orphans;
  private final List<Consumer<HeadChange>> listeners = new ArrayList<>();
  private StoredHeader head;

  /**
   * Timestamp of canonical block 1 (the retarget anchor); null until needed or after block 1 is
   * disconnected.
   */
  private Long canonicalAnchorTime;

  /**
   * Retarget anchors of stored side blocks above height 1 whose anchor was looked up (see {@link
   * #anchorTimestamp}); at most one entry per indexed block, so bounded as the index is.
   */
  private final Map<Hash, Long> sideAnchors = new HashMap<>();

  private long now;
  private Thread owner;
  private long viewVersion;
  private volatile ChainView view;

  private ChainState(
      NetworkParams params,
      ChainConfig config,
      ChainStore store,
      long nowMillis,
      Predicate<Transaction> verifier) {
    this.params = params;
    this.config = config;
    this.store = store;
    this.accounts = store.accountReader();
    this.genesisHash = params.genesisHeader().hash();
    this.mempool = new Mempool(params, config.mempool(), verifier);
    this.orphans =
        new OrphanPool(config.maxOrphans(), config.maxOrphanBytes(), config.orphanExpiryMillis());
    this.now = nowMillis;
    this.owner = Thread.currentThread();
  }

  /**
   * Opens the chain in {@code store}: initialises a new store with genesis, or checks an existing
   * one (network, head, canonical index, supply) and completes an interrupted reorg. The calling
   * thread becomes the owner.
   */
  public static ChainState open(
      NetworkParams params, ChainConfig config, ChainStore store, long nowMillis) {
    return open(params, config, store, nowMillis, Transaction::hasValidSignature);
  }

  /**
   * As {@link #open(NetworkParams, ChainConfig, ChainStore, long)}, with the signature check of
   * transactions that reach the owner unverified ({@link #submitTransaction(Transaction)}); tests
   * inject one that counts.
   */
  public static ChainState open(
      NetworkParams params,
      ChainConfig config,
      ChainStore store,
      long nowMillis,
      Predicate<Transaction> verifier) {
    ChainState s = new ChainState(params, config, store, nowMillis, verifier);
    s.load();
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
      case SubmitTransaction(Transaction tx, String source, boolean verified, var reply) ->
          reply.complete(submitTransaction(tx, verified));
      case GetBlock(Hash hash, var reply) -> reply.complete(store.block(hash));
      case GetBlockByHeight(long height, var reply) -> reply.complete(blockAt(height));
      case GetTransaction(Hash id, var reply) -> reply.complete(transaction(id));
      case GetAccount(Address address, var reply) -> reply.complete(accounts.account(address));
      case GetMempool(Address sender, int max, var reply) ->
          reply.complete(
              sender == null
                  ? mempool.best(max)
                  : mempool.pending(sender).stream().limit(max).toList());
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

  /** The store (reads only, for checks). */
  public ChainStore store() {
    return store;
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

  // ---- opening

  private void load() {
    checkOwnerThread();
    Optional<Hash> storedHead = store.head();
    if (storedHead.isEmpty()) {
      initialiseGenesis();
    } else {
      Hash g = store.genesis().orElseThrow(() -> new StoreException("store has no genesis"));
      if (!g.equals(genesisHash)) {
        throw new StoreException(
            "store in " + store.dir() + " belongs to another network (genesis " + g + ")");
      }
    }
    store.forEachHeader(
        e -> {
          index.put(e.hash(), e);
          if (!e.hash().equals(genesisHash)) {
            children.computeIfAbsent(e.header().parent(), k -> new ArrayList<>()).add(e.hash());
          }
          if (e.status() != BlockStatus.INVALID) {
            candidates.add(e);
          }
        });
    Hash h = store.head().orElseThrow();
    head = index.get(h);
    if (head == null) {
      throw new StoreException("head " + h + " is not in the header index");
    }
    verifyCanonical();
    verifySupply();
    publish();
    activateBestChain(
        new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new LinkedHashSet<>());
    LOG.info(
        "chain {} opened at height {} head {} ({} blocks indexed)",
        params.name(),
        head.height(),
        head.hash(),
        index.size());
  }

  private void initialiseGenesis() {
    BlockHeader g = params.genesisHeader();
    Block genesis = new Block(g, List.of());
    StoredHeader entry =
        new StoredHeader(genesisHash, g, CompactTarget.work(g.bits()), BlockStatus.VALID);
    ChainStore.Batch b =
        store
            .batch()
            .putBlock(genesisHash, genesis)
            .putHeader(entry)
            .putCanonical(0, genesisHash)
            .putGenesis(genesisHash)
            .putHead(genesisHash);
    InMemoryAccounts.genesis(params).accounts().forEach(b::putAccount);
    store.write(b, true);
  }

  /** The canonical index walks back from the head to genesis along parent hashes. */
  private void verifyCanonical() {
    int n = Math.toIntExact(head.height() + 1);
    Hash[] hashes = new Hash[n];
    StoredHeader e = head;
    for (int height = n - 1; height >= 0; height--) {
      if (e == null || e.height() != height) {
        throw new StoreException("inconsistent store: broken parent chain at height " + height);
      }
      Hash stored = store.canonical(height).orElse(null);
      if (!e.hash().equals(stored)) {
        throw new StoreException(
            "inconsistent store: canonical index at "
                + height
                + " is "
                + stored
                + ", not "
                + e.hash());
      }
      if (e.status() != BlockStatus.VALID) {
        throw new StoreException(
            "inconsistent store: canonical block " + e.hash() + " is " + e.status());
      }
      hashes[height] = e.hash();
      e = height == 0 ? null : index.get(e.header().parent());
    }
    if (!hashes[0].equals(genesisHash)) {
      throw new StoreException("inconsistent store: canonical chain does not start at genesis");
    }
    if (store.canonical(n).isPresent()) {
      throw new StoreException("inconsistent store: canonical index goes past the head");
    }
    if (n > 1 && store.undo(head.hash()).isEmpty()) {
      throw new StoreException("inconsistent store: no undo data for the head");
    }
    Collections.addAll(canonical, hashes);
  }

  /** Total balances equal genesis supply plus the rewards of the canonical blocks. */
  private void verifySupply() {
    long expected = params.genesisSupply();
    for (long h = 1; h <= head.height(); h++) {
      expected = Math.addExact(expected, params.reward(h));
    }
    long[] total = {0};
    store.forEachAccount((a, acc) -> total[0] = Math.addExact(total[0], acc.balance()));
    if (total[0] != expected) {
      throw new StoreException(
          "inconsistent store: accounts hold " + total[0] + ", the chain created " + expected);
    }
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
    publish();
  }

  /**
   * The order is cheapest first: the invalid-block memory, the index, the orphan pool, the header
   * checks, the work of the branch (an unrequested lighter branch stops here), the body's stateless
   * checks, and only then the state (extending the head, or in a reorg).
   */
  private ImportResult importOne(Block block, String source, boolean requested) {
    Hash hash = block.hash();
    BlockHeader h = block.header();
    Failure known = invalidBlocks.get(hash);
    if (known != null) {
      return new ImportResult(
          Outcome.INVALID, hash, known.reason(), "known invalid: " + known.detail(), null);
    }
    Failure bad = invalidBlocks.get(h.parent());
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
    ValidationResult hv = BlockValidator.validateHeader(h, context(parent), params);
    switch (hv) {
      case ValidationResult.Reject r -> {
        // The header hash commits to the header and, through the parent hash, to everything the
        // check read; only a hash that meets its own target is remembered, so that filling this
        // memory costs the sender proof of work (a failure without it is as cheap to find again
        // as to look up).
        if (CompactTarget.isCanonical(h.bits()) && ProofOfWork.meetsTarget(hash, h.bits())) {
          rememberInvalid(hash, new Failure(r.reason(), r.detail()));
        }
        return new ImportResult(Outcome.INVALID, hash, r.reason(), r.detail(), null);
      }
      case ValidationResult.Ignore i -> {
        return new ImportResult(Outcome.IGNORED, hash, i.reason(), i.detail(), null);
      }
      case ValidationResult.Accept a -> {}
    }
    BigInteger work = parent.cumulativeWork().add(CompactTarget.work(h.bits()));
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
    ValidationResult bv = BlockValidator.validateBody(block);
    if (bv instanceof ValidationResult.Reject r) {
      // Remembered only if the header commits to this body: a body that does not match the
      // header's Merkle root says nothing about the header's hash (an attacker could otherwise
      // poison an honest block by sending its header with a mangled body). Transaction ids hash
      // the whole transaction, signature included, so a matching root pins every byte.
      if (r.reason() != RejectReason.BAD_MERKLE_ROOT
          && block.computeMerkleRoot().equals(h.merkleRoot())) {
        rememberInvalid(hash, new Failure(r.reason(), r.detail()));
      }
      return new ImportResult(Outcome.INVALID, hash, r.reason(), r.detail(), null);
    }
    if (parent.hash().equals(head.hash())) {
      return extendHead(block, hash, work, source);
    }
    StoredHeader entry = new StoredHeader(hash, h, work, BlockStatus.STORED);
    store.write(store.batch().putBlock(hash, block).putHeader(entry), false);
    addToIndex(entry);
    List<Hash> disconnected = new ArrayList<>();
    List<Hash> connected = new ArrayList<>();
    List<Transaction> abandoned = new ArrayList<>();
    Set<Address> touched = new LinkedHashSet<>();
    ChainView before = view;
    activateBestChain(disconnected, connected, abandoned, touched);
    StoredHeader after = index.get(hash);
    if (after.status() == BlockStatus.INVALID) {
      Failure f = invalidBlocks.get(hash);
      return f != null
          ? new ImportResult(Outcome.INVALID, hash, f.reason(), f.detail(), null)
          : ImportResult.of(Outcome.INVALID_ANCESTOR, hash, "descends from an invalid block");
    }
    if (canonicalContains(hash)) {
      LOG.debug(
          "block {} from {} is the head after a reorg of {}", hash, source, disconnected.size());
      return ImportResult.of(Outcome.IMPORTED_HEAD, hash, "reorg of " + disconnected.size());
    }
    if (before != view) {
      LOG.debug("block {} from {} stored; the head moved", hash, source);
    }
    return ImportResult.of(Outcome.IMPORTED_SIDE, hash, "side branch at height " + h.height());
  }

  private record Failure(RejectReason reason, String detail) {}

  /**
   * Blocks known to be invalid, by hash, with why: checked first on every import, so that no
   * invalid block is verified twice and its children are refused unverified. Holds only failures
   * the block's hash commits to (header rules, body rules on a body matching the header's Merkle
   * root, state rules on such a body). Bounded by count, {@link ChainConfig#maxInvalidBlocks} (an
   * entry is under 512 bytes): at the bound the OLDEST entry is forgotten (an old invalid block
   * that comes back is verified once more and remembered again). Stored blocks found invalid are
   * also marked in the index, which survives restarts.
   */
  private final Map<Hash, Failure> invalidBlocks =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Failure> eldest) {
          return size() > config.maxInvalidBlocks();
        }
      };

  /** Header validations run by imports (tests: a remembered invalid block is not one of them). */
  private long headerValidations;

  /** Number of header validations so far (for tests). */
  long headerValidations() {
    return headerValidations;
  }

  /** Whether {@code hash} is remembered as invalid (for tests). */
  boolean knownInvalid(Hash hash) {
    return invalidBlocks.containsKey(hash);
  }

  private void rememberInvalid(Hash hash, Failure f) {
    invalidBlocks.put(hash, f);
    int dropped = orphans.removeDescendants(hash);
    if (dropped > 0) {
      LOG.debug("dropped {} orphans descending from invalid block {}", dropped, hash);
    }
  }

  private ImportResult orphan(Block block, Hash hash, String source, boolean requested) {
    BlockHeader h = block.header();
    // Cheap anti-spam check before holding it: the header's own proof of work within the limit.
    if (!CompactTarget.isCanonical(h.bits())
        || CompactTarget.toTarget(h.bits()).compareTo(params.powLimit()) > 0) {
      return new ImportResult(
          Outcome.INVALID, hash, RejectReason.BAD_TARGET_ENCODING, "orphan with bad bits", null);
    }
    if (!ProofOfWork.meetsTarget(hash, h.bits())) {
      return new ImportResult(
          Outcome.INVALID, hash, RejectReason.INSUFFICIENT_PROOF_OF_WORK, "orphan", null);
    }
    if (!orphans.add(
        new OrphanPool.Orphan(block, hash, source, requested, now, block.encodedSize()))) {
      return ImportResult.of(Outcome.IGNORED, hash, "larger than the orphan pool");
    }
    publish();
    Hash wanted = orphans.missingAncestor(hash);
    return new ImportResult(
        Outcome.ORPHANED, hash, null, "parent unknown, fetch " + wanted, wanted);
  }

  private ImportResult extendHead(Block block, Hash hash, BigInteger work, String source) {
    ApplyResult ar = StateTransition.applyBlock(block, accounts, params);
    if (ar instanceof ApplyResult.Rejected r) {
      // The body matched the header's Merkle root and the state is the parent's: the hash
      // commits to this failure.
      Failure f = new Failure(r.reason(), "transaction " + r.txIndex() + ": " + detail(r));
      rememberInvalid(hash, f);
      return new ImportResult(Outcome.INVALID, hash, f.reason(), f.detail(), null);
    }
    ApplyResult.Applied applied = (ApplyResult.Applied) ar;
    StoredHeader entry = new StoredHeader(hash, block.header(), work, BlockStatus.VALID);
    ChainView before = view;
    ChainStore.Batch b = store.batch().putBlock(hash, block).putHeader(entry);
    writeConnect(b, entry, block, applied);
    addToIndex(entry);
    moveHeadForward(entry);
    mempool.revalidate(applied.delta().writes().keySet(), accounts);
    publish();
    notifyHeadChange(before, List.of(), List.of(hash));
    LOG.debug("block {} from {} extends the head to {}", hash, source, entry.height());
    return ImportResult.of(Outcome.IMPORTED_HEAD, hash, "height " + entry.height());
  }

  private static String detail(ApplyResult.Rejected r) {
    return switch (r.result()) {
      case ValidationResult.Reject j -> j.detail();
      case ValidationResult.Ignore i -> i.detail();
      case ValidationResult.Accept a -> "";
    };
  }

  private void writeConnect(
      ChainStore.Batch b, StoredHeader entry, Block block, ApplyResult.Applied applied) {
    List<Hash> ids = new ArrayList<>(block.transactions().size());
    for (Transaction tx : block.transactions()) {
      ids.add(tx.id());
    }
    b.putHeader(entry.withStatus(BlockStatus.VALID))
        .putCanonical(entry.height(), entry.hash())
        .putAccounts(applied.delta())
        .putUndo(applied.undo())
        .indexTransactions(entry.hash(), ids)
        .putHead(entry.hash());
    store.write(b, true);
  }

  private void addToIndex(StoredHeader e) {
    index.put(e.hash(), e);
    children.computeIfAbsent(e.header().parent(), k -> new ArrayList<>()).add(e.hash());
    if (e.status() != BlockStatus.INVALID) {
      candidates.add(e);
    }
  }

  private void replaceInIndex(StoredHeader e) {
    StoredHeader old = index.put(e.hash(), e);
    if (old != null) {
      candidates.remove(old);
    }
    if (e.status() != BlockStatus.INVALID) {
      candidates.add(e);
    }
  }

  private void moveHeadForward(StoredHeader e) {
    StoredHeader valid = e.withStatus(BlockStatus.VALID);
    replaceInIndex(valid);
    canonical.add(valid.hash());
    head = valid;
  }

  // ---- fork choice and reorgs

  /**
   * Moves the head to the best valid branch: while a stored branch has more work than the head
   * (whatever its depth), undo to the fork point and apply the branch block by block; a block that
   * fails is marked invalid with its descendants and the choice starts over (which restores the
   * best valid chain).
   */
  private void activateBestChain(
      List<Hash> disconnected,
      List<Hash> connected,
      List<Transaction> abandoned,
      Set<Address> touched) {
    ChainView before = view;
    // Sets beside the lists and a deque for the transactions keep a reorg of any depth linear.
    Set<Hash> connectedSet = new HashSet<>(connected);
    Set<Hash> disconnectedSet = new HashSet<>(disconnected);
    ArrayDeque<Transaction> undone = new ArrayDeque<>();
    while (true) {
      StoredHeader best = bestCandidate();
      if (best == null) {
        break;
      }
      StoredHeader fork = forkPoint(best);
      while (!head.hash().equals(fork.hash())) {
        Block b = disconnectHead(touched);
        Hash bh = b.hash();
        if (connectedSet.remove(bh)) {
          // connected earlier in this activation and now undone again: not a net change
          connected.remove(bh);
        } else {
          disconnected.add(bh);
          disconnectedSet.add(bh);
        }
        List<Transaction> txs = b.transactions();
        for (int i = txs.size() - 1; i >= 0; i--) {
          undone.addFirst(txs.get(i));
        }
      }
      List<StoredHeader> path = new ArrayList<>();
      for (StoredHeader e = best;
          !e.hash().equals(fork.hash());
          e = index.get(e.header().parent())) {
        path.add(e);
      }
      Collections.reverse(path);
      for (StoredHeader e : path) {
        Block b =
            store
                .block(e.hash())
                .orElseThrow(() -> new StoreException("body missing: " + e.hash()));
        ApplyResult ar = StateTransition.applyBlock(b, accounts, params);
        if (ar instanceof ApplyResult.Rejected r) {
          LOG.debug("block {} fails on its branch: {} {}", e.hash(), r.reason(), detail(r));
          invalidate(e, new Failure(r.reason(), "transaction " + r.txIndex() + ": " + detail(r)));
          break;
        }
        ApplyResult.Applied applied = (ApplyResult.Applied) ar;
        writeConnect(store.batch(), e, b, applied);
        moveHeadForward(e);
        touched.addAll(applied.delta().writes().keySet());
        if (disconnectedSet.remove(e.hash())) {
          disconnected.remove(e.hash());
        } else {
          connected.add(e.hash());
          connectedSet.add(e.hash());
        }
      }
    }
    abandoned.addAll(0, undone);
    if (before != null && !before.headHash().equals(head.hash())) {
      List<Transaction> back = new ArrayList<>();
      for (Transaction tx : abandoned) {
        back.add(tx);
        touched.add(tx.sender());
      }
      mempool.readd(back, accounts, now);
      mempool.revalidate(touched, accounts);
      publish();
      notifyHeadChange(before, disconnected, connected);
      if (!disconnected.isEmpty()) {
        LOG.info(
            "reorg: {} blocks undone, {} applied, head {} at {}",
            disconnected.size(),
            connected.size(),
            head.hash(),
            head.height());
      }
    }
  }

  /** The valid stored tip with the most work if it beats the head, whatever its depth; or null. */
  private StoredHeader bestCandidate() {
    if (candidates.isEmpty()) {
      return null;
    }
    StoredHeader c = candidates.last();
    return ForkChoice.prefers(c.tip(), head.tip()) ? c : null;
  }

  /** The last block of {@code e}'s ancestry (itself included) on the canonical chain. */
  private StoredHeader forkPoint(StoredHeader e) {
    StoredHeader x = e;
    while (!canonicalContains(x.hash())) {
      x = index.get(x.header().parent());
    }
    return x;
  }

  private boolean canonicalContains(Hash hash) {
    StoredHeader e = index.get(hash);
    return e != null
        && e.height() < canonical.size()
        && canonical.get((int) e.height()).equals(hash);
  }

  private Block disconnectHead(Set<Address> touched) {
    Hash h = head.hash();
    Block b = store.block(h).orElseThrow(() -> new StoreException("head body missing: " + h));
    Undo u = store.undo(h).orElseThrow(() -> new StoreException("no undo data for " + h));
    ChainStore.Batch batch =
        store
            .batch()
            .revert(u)
            .deleteUndo(h)
            .deleteCanonical(head.height())
            .unindexTransactions(b.transactions())
            .putHead(head.header().parent());
    store.write(batch, true);
    touched.addAll(u.previous().keySet());
    canonical.remove(canonical.size() - 1);
    if (head.height() == 1) {
      canonicalAnchorTime = null;
    }
    head = index.get(head.header().parent());
    return b;
  }

  /** Marks {@code e} and every descendant invalid, in one batch. */
  private void invalidate(StoredHeader e, Failure reason) {
    rememberInvalid(e.hash(), reason);
    ChainStore.Batch b = store.batch();
    ArrayDeque<Hash> todo = new ArrayDeque<>();
    todo.add(e.hash());
    while (!todo.isEmpty()) {
      Hash h = todo.poll();
      StoredHeader x = index.get(h);
      if (x.status() != BlockStatus.INVALID) {
        StoredHeader bad = x.withStatus(BlockStatus.INVALID);
        replaceInIndex(bad);
        b.putHeader(bad);
      }
      todo.addAll(children.getOrDefault(h, List.of()));
    }
    store.write(b, false);
  }

  private HeaderContext context(StoredHeader parent) {
    List<Long> times = new ArrayList<>(TimeRules.MEDIAN_SPAN);
    StoredHeader e = parent;
    while (e != null && times.size() < TimeRules.MEDIAN_SPAN) {
      times.add(e.header().timestamp());
      e = e.height() == 0 ? null : index.get(e.header().parent());
    }
    return new HeaderContext(parent.header(), anchorTimestamp(parent), times, now);
  }

  /**
   * The timestamp of the height-1 block on {@code parent}'s branch, the retarget anchor (genesis's
   * own time when {@code parent} is genesis, which the rule ignores). Walks back to the first
   * canonical ancestor or side block whose anchor is remembered, and takes canonical block 1 if
   * that ancestor is canonical above genesis; a branch forking at genesis is walked down to its own
   * block 1. The anchors of the side blocks walked are remembered (a block's ancestry never
   * changes), so importing a branch block by block costs O(1) per block, not O(depth).
   */
  private long anchorTimestamp(StoredHeader parent) {
    List<Hash> walked = new ArrayList<>();
    StoredHeader x = parent;
    Long anchor = null;
    while (x.height() > 1 && !canonicalContains(x.hash())) {
      anchor = sideAnchors.get(x.hash());
      if (anchor != null) {
        break;
      }
      walked.add(x.hash());
      x = index.get(x.header().parent());
    }
    if (anchor == null) {
      if (x.height() <= 1) {
        anchor = x.header().timestamp();
      } else {
        if (canonicalAnchorTime == null) {
          canonicalAnchorTime = index.get(canonical.get(1)).header().timestamp();
        }
        anchor = canonicalAnchorTime;
      }
    }
    for (Hash w : walked) {
      sideAnchors.put(w, anchor);
    }
    return anchor;
  }

  // ---- transactions

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
      return new Mempool.Admission(
          Mempool.Outcome.REJECTED, tx.id(), RejectReason.NONCE_REPLAYED, "already in a block");
    }
    Mempool.Admission a =
        verified ? mempool.addVerified(tx, accounts, now) : mempool.add(tx, accounts, now);
    if (a.accepted()) {
      publish();
    }
    return a;
  }

  private Optional<TxLookup> transaction(Hash id) {
    Optional<TxLocation> loc = store.txLocation(id);
    if (loc.isPresent()) {
      StoredHeader e = index.get(loc.get().block());
      Block b = store.block(loc.get().block()).orElseThrow();
      int i = loc.get().index();
      return Optional.of(new TxLookup(b.transactions().get(i), e.hash(), e.height(), i));
    }
    return mempool.get(id).map(tx -> new TxLookup(tx, null, -1, -1));
  }

  // ---- queries

  /** The canonical block at {@code height}. */
  public Optional<Block> blockAt(long height) {
    if (height < 0 || height >= canonical.size()) {
      return Optional.empty();
    }
    return store.block(canonical.get((int) height));
  }

  /**
   * The base for checking children of the stored header {@code hash} (as {@link #context} does for
   * an import): its work, its branch's retarget anchor and its recent timestamps. Empty if the
   * header is unknown or invalid.
   */
  public Optional<ForkBase> forkBase(Hash hash) {
    StoredHeader e = index.get(hash);
    if (e == null || e.status() == BlockStatus.INVALID) {
      return Optional.empty();
    }
    HeaderContext c = context(e);
    return Optional.of(
        new ForkBase(e.header(), e.cumulativeWork(), c.anchorTimestamp(), c.recentTimestamps()));
  }

  /** Head, the 10 blocks below it, then steps doubling, then genesis. */
  public List<Hash> locator() {
    List<Hash> out = new ArrayList<>();
    long step = 1;
    long h = head.height();
    while (h > 0) {
      out.add(canonical.get((int) h));
      if (out.size() >= 10) {
        step *= 2;
      }
      h -= step;
    }
    out.add(genesisHash);
    return out;
  }

  /** Canonical headers after the first locator hash we hold on the canonical chain. */
  public List<BlockHeader> headersAfter(List<Hash> locator, int max) {
    long start = 1;
    for (Hash h : locator.subList(0, Math.min(locator.size(), MAX_LOCATOR))) {
      if (canonicalContains(h)) {
        start = index.get(h).height() + 1;
        break;
      }
    }
    int n = Math.max(0, Math.min(max, MAX_HEADERS));
    List<BlockHeader> out = new ArrayList<>();
    for (long height = start; height < canonical.size() && out.size() < n; height++) {
      out.add(index.get(canonical.get((int) height)).header());
    }
    return out;
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
    List<Block> out = new ArrayList<>();
    int n = Math.max(0, Math.min(count, MAX_BLOCKS));
    long budget = Math.min(maxBytes, MAX_RANGE_BYTES);
    long bytes = 0;
    for (long height = Math.max(0, from); height < canonical.size() && out.size() < n; height++) {
      Block b = store.block(canonical.get((int) height)).orElseThrow();
      bytes += b.encodedSize();
      if (!out.isEmpty() && bytes > budget) {
        break;
      }
      out.add(b);
    }
    return out;
  }

  /**
   * A template on the head: timestamp the clock (or just after the median time past), the expected
   * bits, the mempool's best executable transactions within the block limits.
   */
  public Template template(Address miner) {
    checkOwnerThread();
    BlockHeader parent = head.header();
    HeaderContext ctx = context(head);
    long mtp = TimeRules.medianTimePast(ctx.recentTimestamps());
    long time = Math.max(now, mtp + 1);
    List<Transaction> txs =
        mempool.select(
            accounts,
            Limits.MAX_TRANSACTIONS,
            Limits.MAX_BLOCK_BYTES - ChainCodec.BLOCK_FIXED_BYTES);
    List<Hash> ids = new ArrayList<>(txs.size());
    long fees = 0;
    for (Transaction tx : txs) {
      ids.add(tx.id());
      fees += tx.fee();
    }
    BlockHeader h =
        new BlockHeader(
            BlockHeader.VERSION,
            parent.height() + 1,
            head.hash(),
            Merkle.root(ids),
            miner,
            time,
            Difficulty.nextBits(params, parent.height(), parent.timestamp(), ctx.anchorTimestamp()),
            0);
    return new Template(h, txs, params.reward(h.height()), fees);
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
    HeadChange change =
        new HeadChange(before, view, disconnected, connected, mempool.drainPromoted());
    for (Consumer<HeadChange> l : List.copyOf(listeners)) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        LOG.error("head-change listener failed", e);
      }
    }
  }

  private void publish() {
    int n = (int) Math.min(config.recentHeaders(), canonical.size());
    List<BlockHeader> recent = new ArrayList<>(n);
    for (int i = canonical.size() - n; i < canonical.size(); i++) {
      recent.add(index.get(canonical.get(i)).header());
    }
    view =
        new ChainView(
            params.name(),
            genesisHash,
            head.hash(),
            head.header(),
            head.cumulativeWork(),
            recent,
            mempool.size(),
            orphans.size(),
            ++viewVersion);
  }

  /** The head's index entry. */
  StoredHeader head() {
    return head;
  }

  /** The account at the head. */
  public Optional<Account> account(Address address) {
    return accounts.account(address);
  }
}
