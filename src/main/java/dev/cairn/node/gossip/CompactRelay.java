package dev.cairn.node.gossip;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.sync.SyncFailure;
import dev.cairn.node.sync.SyncRpc;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns a {@link CompactBlock} back into its block (the receiving side of compact block relay,
 * docs/PROTOCOL.md): the body from our mempool by short id, what is missing or ambiguous from the
 * announcing peer ({@code block_txs}), and when that fails or the rebuilt body does not match the
 * header's Merkle root, the whole block by hash from the announcer, then from up to {@link
 * #MAX_ELSEWHERE} other peers. The caller has checked the header's proof of work before, so every
 * fetch here was paid for by the announcer's work; validation of the block comes after, exactly as
 * for a full block.
 *
 * <p>An announcer that does not give what it announced is penalised: {@link #WITHHELD_PENALTY} for
 * no answer (timeout, unavailable, a refused or broken stream), {@link #WRONG_PENALTY} for
 * transactions whose short ids are not the ones announced, or short ids that are not its block's. A
 * short-id collision in our own mempool is no fault of the announcer's and costs it nothing.
 *
 * <p>Threading: {@link #obtain} blocks (fetches) and runs on the caller's virtual thread; many may
 * run at once. The only shared state is the counters.
 */
public final class CompactRelay {
  private static final Logger LOG = LogManager.getLogger();

  /** Standing lost by an announcer that does not answer for its block. */
  public static final int WITHHELD_PENALTY = 20;

  /** Standing lost by an announcer whose transactions or short ids are not its block's. */
  public static final int WRONG_PENALTY = SyncFailure.Kind.INVALID.penalty();

  /** Other peers asked for the whole block once the announcer failed. */
  public static final int MAX_ELSEWHERE = 3;

  /** After this long no other peer is asked (the router's validation gives up at 10 s). */
  static final Duration DEADLINE = Duration.ofSeconds(8);

  /**
   * The transactions we might find a block's in (our mempool), each with its id: the id the pool
   * computed when it took the transaction, so a rebuild hashes none of them. May block briefly.
   */
  public interface Pool {
    Collection<? extends Map.Entry<Hash, Transaction>> transactions() throws IOException;
  }

  /** The two requests we send: {@code block_txs} and {@code blocks_by_hash}. */
  public interface Fetcher {
    List<Transaction> blockTxs(PeerId peer, Hash block, int[] indexes) throws SyncFailure;

    List<Block> blocksByHash(PeerId peer, List<Hash> hashes) throws SyncFailure;

    /** Both from the sync protocols' client. */
    static Fetcher of(SyncRpc rpc) {
      return new Fetcher() {
        @Override
        public List<Transaction> blockTxs(PeerId peer, Hash block, int[] indexes)
            throws SyncFailure {
          return rpc.blockTxs(peer, block, indexes);
        }

        @Override
        public List<Block> blocksByHash(PeerId peer, List<Hash> hashes) throws SyncFailure {
          return rpc.blocksByHash(peer, hashes);
        }
      };
    }

    /** Fetches nothing: every request fails as unsupported. */
    static Fetcher none() {
      return new Fetcher() {
        @Override
        public List<Transaction> blockTxs(PeerId peer, Hash block, int[] indexes)
            throws SyncFailure {
          throw new SyncFailure(SyncFailure.Kind.NOT_SUPPORTED, "no fetcher");
        }

        @Override
        public List<Block> blocksByHash(PeerId peer, List<Hash> hashes) throws SyncFailure {
          throw new SyncFailure(SyncFailure.Kind.NOT_SUPPORTED, "no fetcher");
        }
      };
    }
  }

  /** What an announcer's misbehaviour costs it (the host's penalize). Must not block long. */
  public interface Blame {
    void penalize(PeerId peer, int points, String reason);
  }

  /**
   * A block obtained for a compact announcement.
   *
   * @param block the block, hash and Merkle root checked
   * @param faithful the announced short ids are this block's (so the announcement may be relayed as
   *     it is; otherwise our peers would fetch from us transactions that do not match it)
   */
  public record Obtained(Block block, boolean faithful) {}

  /**
   * The relay's counters, read together.
   *
   * @param rebuilt blocks rebuilt from the mempool and {@code block_txs}, without a whole-block
   *     fetch
   * @param fromPool transactions found in the mempool
   * @param fetched transactions fetched with {@code block_txs}
   * @param fullBlocks whole blocks fetched by hash (from the announcer or elsewhere)
   * @param fetchedElsewhere whole blocks fetched from a peer other than the announcer
   * @param failures announcements for which nobody gave us the block
   */
  public record Stats(
      long rebuilt,
      long fromPool,
      long fetched,
      long fullBlocks,
      long fetchedElsewhere,
      long failures) {}

  private final Pool pool;
  private final Fetcher fetcher;
  private final Blame blame;
  private final Supplier<Collection<PeerId>> others;
  private final LongSupplier nanos;

  private final LongAdder rebuilt = new LongAdder();
  private final LongAdder fromPool = new LongAdder();
  private final LongAdder fetched = new LongAdder();
  private final LongAdder fullBlocks = new LongAdder();
  private final LongAdder elsewhere = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /**
   * @param pool our mempool
   * @param fetcher the requests
   * @param blame penalties for announcers (and for other peers that answer wrongly)
   * @param others peers to ask for the whole block when the announcer fails (the blocks topic's)
   * @param nanos a monotonic clock for {@link #DEADLINE}
   */
  public CompactRelay(
      Pool pool,
      Fetcher fetcher,
      Blame blame,
      Supplier<Collection<PeerId>> others,
      LongSupplier nanos) {
    this.pool = pool;
    this.fetcher = fetcher;
    this.blame = blame;
    this.others = others;
    this.nanos = nanos;
  }

  /** What the relay has counted so far. */
  public Stats stats() {
    return new Stats(
        rebuilt.sum(),
        fromPool.sum(),
        fetched.sum(),
        fullBlocks.sum(),
        elsewhere.sum(),
        failures.sum());
  }

  /**
   * The block {@code compact} announces, or empty when neither {@code announcer} nor the other
   * peers gave it. Blocks on the fetches.
   */
  public Optional<Obtained> obtain(CompactBlock compact, PeerId announcer) throws IOException {
    long deadline = nanos.getAsLong() + DEADLINE.toNanos();
    Hash hash = compact.hash();
    long[] sids = compact.shortIds();
    ShortIds ids = compact.ids();
    Transaction[] slots = new Transaction[sids.length];
    // each slot's transaction id, computed once (for the short id, then for the Merkle root)
    Hash[] txIds = new Hash[sids.length];
    int[] missing = sids.length == 0 ? new int[0] : fromPool(ids, sids, slots, txIds);
    fromPool.add(sids.length - missing.length);
    if (missing.length > 0) {
      List<Transaction> got;
      try {
        got = fetcher.blockTxs(announcer, hash, missing);
      } catch (SyncFailure f) {
        withheld(announcer, hash, f);
        return elsewhere(compact, announcer, deadline);
      }
      for (int j = 0; j < missing.length; j++) {
        Transaction tx = got.get(j);
        Hash id = tx.id();
        if (ids.of(id) != sids[missing[j]]) {
          wrong(announcer, "block_txs: transaction " + missing[j] + " of " + hash + " is not its");
          return elsewhere(compact, announcer, deadline);
        }
        slots[missing[j]] = tx;
        txIds[missing[j]] = id;
      }
      fetched.add(missing.length);
    }
    if (Merkle.root(Arrays.asList(txIds)).equals(compact.header().merkleRoot())) {
      rebuilt.increment();
      return Optional.of(new Obtained(new Block(compact.header(), Arrays.asList(slots)), true));
    }
    // A collision with a mempool transaction that is not the block's (invisible until now), or
    // short ids that are not the block's: the announcer's whole block says which.
    LOG.debug("rebuilt body of {} does not match its root; asking for the block", hash);
    try {
      List<Block> whole = fetcher.blocksByHash(announcer, List.of(hash));
      if (whole.isEmpty()) {
        throw new SyncFailure(SyncFailure.Kind.UNAVAILABLE, "no block");
      }
      return Optional.of(checked(whole.get(0), compact, announcer, false));
    } catch (SyncFailure f) {
      withheld(announcer, hash, f);
      return elsewhere(compact, announcer, deadline);
    }
  }

  /**
   * Fills {@code slots} with the mempool transactions whose short id appears once in the block and
   * belongs to exactly one pooled transaction; returns the indexes left empty, ascending.
   */
  private int[] fromPool(ShortIds ids, long[] sids, Transaction[] slots, Hash[] txIds)
      throws IOException {
    Map<Long, Integer> inBlock = new HashMap<>(sids.length * 2);
    for (long s : sids) {
      inBlock.merge(s, 1, Integer::sum);
    }
    Map<Long, Transaction> found = new HashMap<>(sids.length * 2);
    Map<Long, Hash> foundIds = new HashMap<>(sids.length * 2);
    Set<Long> ambiguous = new HashSet<>();
    for (Map.Entry<Hash, Transaction> pooled : pool.transactions()) {
      Hash id = pooled.getKey();
      Transaction tx = pooled.getValue();
      long s = ids.of(id);
      if (inBlock.containsKey(s)) {
        if (found.putIfAbsent(s, tx) != null) {
          ambiguous.add(s);
        } else {
          foundIds.put(s, id);
        }
      }
    }
    int[] missing = new int[sids.length];
    int n = 0;
    for (int i = 0; i < sids.length; i++) {
      long s = sids[i];
      Transaction tx = found.get(s);
      if (tx == null || inBlock.get(s) > 1 || ambiguous.contains(s)) {
        missing[n++] = i;
      } else {
        slots[i] = tx;
        txIds[i] = foundIds.get(s);
      }
    }
    return Arrays.copyOf(missing, n);
  }

  /**
   * Asks other peers of the topic for the whole block, at most {@link #MAX_ELSEWHERE} of them and
   * only until the deadline. A peer that lacks it pays nothing; one that sends a wrong answer or
   * none in time pays what sync charges for it.
   */
  private Optional<Obtained> elsewhere(CompactBlock compact, PeerId announcer, long deadline) {
    Hash hash = compact.hash();
    int asked = 0;
    for (PeerId p : others.get()) {
      if (p.equals(announcer)) {
        continue;
      }
      if (asked++ == MAX_ELSEWHERE || nanos.getAsLong() - deadline > 0) {
        break;
      }
      try {
        List<Block> whole = fetcher.blocksByHash(p, List.of(hash));
        if (!whole.isEmpty()) {
          elsewhere.increment();
          return Optional.of(checked(whole.get(0), compact, announcer, true));
        }
      } catch (SyncFailure f) {
        if (f.kind().penalty() > 0) {
          blame.penalize(p, f.kind().penalty(), "compact relay: " + f.getMessage());
        }
      }
    }
    failures.increment();
    LOG.debug("block {} announced by {}: nobody gave it", hash, announcer.shortString());
    return Optional.empty();
  }

  /**
   * A whole block (hash and root checked by the fetch): whether the announced short ids are its
   * own. If not, the announcer lied about it (unless it withheld, and was charged for that
   * already).
   */
  private Obtained checked(Block block, CompactBlock compact, PeerId announcer, boolean charged) {
    fullBlocks.increment();
    boolean faithful =
        Arrays.equals(
            CompactBlock.of(block, compact.shortIdBytes()).shortIds(), compact.shortIds());
    if (!faithful && !charged) {
      wrong(announcer, "announced short ids that are not those of block " + block.hash());
    }
    return new Obtained(block, faithful);
  }

  private void withheld(PeerId announcer, Hash hash, SyncFailure f) {
    // Rate limited or busy: our asking, not its withholding; interrupted: we are stopping.
    if (f.kind() == SyncFailure.Kind.BUSY || Thread.currentThread().isInterrupted()) {
      return;
    }
    LOG.debug("{} withheld block {}: {}", announcer.shortString(), hash, f.getMessage());
    blame.penalize(
        announcer,
        Math.max(WITHHELD_PENALTY, f.kind().penalty()),
        "compact relay: announced block " + hash + " and withheld it: " + f.getMessage());
  }

  private void wrong(PeerId announcer, String reason) {
    LOG.debug("{}: {}", announcer.shortString(), reason);
    blame.penalize(announcer, WRONG_PENALTY, "compact relay: " + reason);
  }
}
