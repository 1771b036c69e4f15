package dev.cairn.chain;

import dev.cairn.chain.consensus.Difficulty;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.InMemoryAccounts;
import dev.cairn.chain.state.StateTransition;
import dev.cairn.chain.store.ChainStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The chain tests' one fixture: two small networks, fixed keys, a miner that remembers the retarget
 * anchor of every block it mines, and the chain service set up the way the tests use it.
 *
 * <p>{@link #PARAMS}, the fork network for chain-owner tests: keys 0..3 funded, one-second blocks
 * and a ten-second retarget half-life, so a branch of fast blocks is harder (more work per block)
 * than one of slow blocks. Genesis bits 0x1f7fffff (about 256 hashes a block on schedule), limit
 * 0x207fffff. {@link Trivial}: a network whose genesis sits at the proof-of-work limit, for
 * consensus, state and node tests.
 */
public final class ChainFixture {
  /** Chain id. */
  public static final int CHAIN_ID = 99;

  /** Genesis time. */
  public static final long T0 = 1_795_219_200_000L;

  /** A clock well after genesis (slow branches stay in the past). */
  public static final long NOW = T0 + 30L * 24 * 3600_000;

  private static final SigningKey[] KEYS = new SigningKey[8];

  /** The key whose seed is SHA-256 of {@code text} (ASCII): a test's named, repeatable key. */
  public static SigningKey seededKey(String text) {
    return SigningKey.fromSeed(Hash.sha256(text.getBytes(StandardCharsets.US_ASCII)).bytes());
  }

  static {
    for (int i = 0; i < KEYS.length; i++) {
      KEYS[i] = seededKey("cairn chain2 key " + i);
    }
  }

  /** The network. */
  public static final NetworkParams PARAMS =
      new NetworkParams(
          "fixture",
          CHAIN_ID,
          T0,
          0x1f7fffff,
          0x207fffff,
          1_000,
          10_000,
          10_000,
          5_000,
          0,
          10,
          List.of(
              new NetworkParams.Allocation(KEYS[0].address(), 1_000_000),
              new NetworkParams.Allocation(KEYS[1].address(), 1_000_000),
              new NetworkParams.Allocation(KEYS[2].address(), 1_000_000),
              new NetworkParams.Allocation(KEYS[3].address(), 1_000_000)),
          BigInteger.ZERO);

  private ChainFixture() {}

  /** Key {@code i} (0..7; 0..3 are funded). */
  public static SigningKey key(int i) {
    return KEYS[i];
  }

  /** Address of key {@code i}. */
  public static Address addr(int i) {
    return KEYS[i].address();
  }

  /** A miner address that holds nothing at genesis. */
  public static final Address MINER = KEYS[7].address();

  /** A signed transfer. */
  public static Transaction tx(int from, int to, long amount, long fee, long nonce) {
    return Transaction.signed(KEYS[from], CHAIN_ID, addr(to), amount, fee, nonce);
  }

  /** The genesis header. */
  public static BlockHeader genesis() {
    return PARAMS.genesisHeader();
  }

  /** A mined child of {@code parent} with time {@code parent + dt} and the expected bits. */
  public static Block mine(BlockHeader parent, long dt, Address miner, List<Transaction> txs) {
    return mine(PARAMS, parent, miner, txs, parent.timestamp() + dt);
  }

  /** A mined child with no transactions. */
  public static Block mine(BlockHeader parent, long dt) {
    return mine(parent, dt, MINER, List.of());
  }

  /** {@code n} empty blocks after {@code parent}, {@code dt} apart, paying {@code miner}. */
  public static List<Block> branch(BlockHeader parent, int n, long dt, Address miner) {
    return branch(PARAMS, parent, n, dt, miner);
  }

  /** {@code n} empty blocks of network {@code p} after {@code parent}, {@code dt} apart. */
  public static List<Block> branch(
      NetworkParams p, BlockHeader parent, int n, long dt, Address miner) {
    List<Block> out = new ArrayList<>();
    BlockHeader h = parent;
    for (int i = 0; i < n; i++) {
      Block b = mine(p, h, miner, List.of(), h.timestamp() + dt);
      out.add(b);
      h = b.header();
    }
    return out;
  }

  /** State after applying {@code chain} (genesis's children first) to the genesis state. */
  public static InMemoryAccounts replay(List<Block> chain) {
    InMemoryAccounts s = InMemoryAccounts.genesis(PARAMS);
    for (Block b : chain) {
      ApplyResult r = StateTransition.applyBlock(b, s, PARAMS);
      if (!(r instanceof ApplyResult.Applied a)) {
        throw new IllegalStateException("replay: block " + b.header().height() + " " + r);
      }
      s = s.apply(a.delta());
    }
    return s;
  }

  /** The last header of a list. */
  public static BlockHeader tip(List<Block> chain) {
    return chain.get(chain.size() - 1).header();
  }

  /** Concatenation. */
  @SafeVarargs
  public static List<Block> concat(List<Block>... parts) {
    List<Block> out = new ArrayList<>();
    for (List<Block> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  // ---- the chain owner as the tests set it up

  /** The tests' chain config: the defaults without fsync. */
  public static final ChainConfig CONFIG = ChainConfig.defaults().withSyncWrites(false);

  /** A clock fixed at {@link #NOW}. */
  public static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  /** The fork network's chain in {@code store}, at {@link #NOW}, on the calling thread. */
  public static ChainState open(ChainStore store, ChainConfig config) {
    return ChainState.open(PARAMS, config, store, NOW, Transaction::hasValidSignature);
  }

  /** {@link #open(ChainStore, ChainConfig)} with {@link #CONFIG}. */
  public static ChainState open(ChainStore store) {
    return open(store, CONFIG);
  }

  /** A chain service on the fork network in {@code dir} at {@link #CLOCK}, without fsync. */
  public static ChainService startService(Path dir, ChainConfig config) {
    return ChainService.start(PARAMS, config.withSyncWrites(false), dir, CLOCK);
  }

  /** As {@link #startService(Path, ChainConfig)} with the signature check {@code verifier}. */
  public static ChainService startService(
      Path dir, ChainConfig config, Predicate<Transaction> verifier) {
    return ChainService.start(PARAMS, config.withSyncWrites(false), dir, CLOCK, verifier);
  }

  /**
   * A test-only head-change listener that holds the owner thread from the next head change until
   * {@code release} counts down (for at most ten seconds), so that the mailbox fills up; {@code
   * entered} counts down when it starts holding.
   */
  public record OwnerHold(CountDownLatch entered, CountDownLatch release) {
    /** Subscribes the holding listener to {@code chain}. */
    public static OwnerHold subscribe(ChainService chain) throws Exception {
      OwnerHold hold = new OwnerHold(new CountDownLatch(1), new CountDownLatch(1));
      chain
          .subscribeHeadChanges(
              c -> {
                hold.entered.countDown();
                try {
                  hold.release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              })
          .get(5, TimeUnit.SECONDS);
      return hold;
    }
  }

  // ---- mining on any network

  /** Retarget anchor (block 1's time on the branch) of every block mined by {@link #mine}. */
  private static final Map<Hash, Long> ANCHORS = new ConcurrentHashMap<>();

  /**
   * The retarget anchor for a child of {@code parent}: the time of block 1 on its branch. Known for
   * genesis, block 1 and blocks mined through {@link #remember}; else it throws (pass the anchor to
   * {@link Difficulty#nextBits} directly).
   */
  public static long anchorTime(BlockHeader parent) {
    if (parent.height() <= 1) {
      return parent.timestamp();
    }
    Long t = ANCHORS.get(parent.hash());
    if (t == null) {
      throw new IllegalStateException(
          "no retarget anchor known for " + parent.hash() + " at height " + parent.height());
    }
    return t;
  }

  /** The bits a child of {@code parent} must carry (anchor from {@link #anchorTime}). */
  public static int nextBits(NetworkParams p, BlockHeader parent) {
    return Difficulty.nextBits(p, parent.height(), parent.timestamp(), anchorTime(parent));
  }

  /** Records the anchor of {@code child} (of {@code parent}) so that its children can be mined. */
  public static Block remember(BlockHeader parent, Block child) {
    if (child.header().height() >= 2) {
      ANCHORS.put(child.hash(), anchorTime(parent));
    }
    return child;
  }

  /**
   * The blocks of {@code known} that {@code hashes} name, in order, stopping at the first unknown
   * one ({@code BlockSource#blocksByHash} for a map of blocks).
   */
  public static List<Block> knownPrefix(Map<Hash, Block> known, List<Hash> hashes) {
    List<Block> out = new ArrayList<>();
    for (Hash h : hashes) {
      Block b = known.get(h);
      if (b == null) {
        break;
      }
      out.add(b);
    }
    return out;
  }

  /** A mined child of {@code parent}, on schedule, with the expected bits and a correct root. */
  public static Block mine(
      NetworkParams p, BlockHeader parent, Address miner, List<Transaction> txs) {
    return mine(p, parent, miner, txs, parent.timestamp() + p.blockTimeMillis());
  }

  /** As {@link #mine(NetworkParams, BlockHeader, Address, List)} with a chosen timestamp. */
  public static Block mine(
      NetworkParams p, BlockHeader parent, Address miner, List<Transaction> txs, long time) {
    return remember(parent, mineAt(parent, nextBits(p, parent), miner, txs, time));
  }

  /**
   * A child of {@code parent} at {@code bits} and {@code time} with a correct root, its nonce
   * searched; no anchor remembered (for branches whose anchor the caller knows).
   */
  public static Block mineAt(
      BlockHeader parent, int bits, Address miner, List<Transaction> txs, long time) {
    List<Hash> ids = new ArrayList<>();
    for (Transaction t : txs) {
      ids.add(t.id());
    }
    BlockHeader h = BlockHeader.child(parent, Merkle.root(ids), miner, time, bits);
    long nonce = ProofOfWork.search(h.prefix(), bits, 0, Long.MAX_VALUE).orElseThrow();
    return new Block(h.withNonce(nonce), txs);
  }

  /** Context for a child of {@code parent} alone (median = parent's time), clock at {@code now}. */
  public static HeaderContext context(BlockHeader parent, long now) {
    return new HeaderContext(parent, anchorTime(parent), List.of(parent.timestamp()), now);
  }

  /** The trivial network: genesis at the proof-of-work limit, keys of their own. */
  public static final class Trivial {
    /** Chain id of {@link #PARAMS}. */
    public static final int CHAIN_ID = 7;

    /** Genesis time of {@link #PARAMS}, the fork network's. */
    public static final long T0 = ChainFixture.T0;

    private Trivial() {}

    /** Key {@code i}: seed SHA-256("cairn test key i"). */
    public static SigningKey key(int i) {
      return seededKey("cairn test key " + i);
    }

    /** Keys 0 and 1 hold 1,000,000 units each; blocks every second; reward 50; min fee 1. */
    public static final NetworkParams PARAMS =
        new NetworkParams(
            "unit",
            CHAIN_ID,
            T0,
            0x207fffff,
            0x207fffff,
            1000,
            20_000,
            5_000,
            50,
            0,
            1,
            List.of(
                new NetworkParams.Allocation(key(0).address(), 1_000_000),
                new NetworkParams.Allocation(key(1).address(), 1_000_000)),
            BigInteger.ZERO);

    /** A mined child of {@link #PARAMS}' genesis carrying {@code txs}, paid to {@code miner}. */
    public static Block mineOnGenesis(Address miner, List<Transaction> txs) {
      return mine(PARAMS, PARAMS.genesisHeader(), miner, txs);
    }

    /** A signed transaction on {@link #PARAMS}' chain. */
    public static Transaction tx(SigningKey from, Address to, long amount, long fee, long nonce) {
      return Transaction.signed(from, CHAIN_ID, to, amount, fee, nonce);
    }

    /**
     * {@code n} transactions on {@link #PARAMS}' chain with random keys, recipients and signatures
     * (nonce {@code i}, amount {@code 1 + i}): for code that checks none of them, such as the
     * compact-block relay.
     */
    public static List<Transaction> junkTransactions(Random random, int n) {
      List<Transaction> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] key = new byte[32];
        byte[] sig = new byte[64];
        byte[] to = new byte[20];
        random.nextBytes(key);
        random.nextBytes(sig);
        random.nextBytes(to);
        out.add(new Transaction(CHAIN_ID, key, Address.of(to), 1 + i, 1, i, sig));
      }
      return out;
    }
  }
}
