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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** Fixed keys, a trivial-difficulty network and a miner for chain tests. */
public final class TestChain {
  /** Chain id of {@link #PARAMS}. */
  public static final int CHAIN_ID = 7;

  /** Genesis time of {@link #PARAMS}. */
  public static final long T0 = 1_795_219_200_000L;

  /** Retarget anchor (block 1's time on the branch) of every block mined by a test helper. */
  private static final Map<Hash, Long> ANCHORS = new ConcurrentHashMap<>();

  private TestChain() {}

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

  /** Key {@code i}: seed SHA-256("cairn test key i"). */
  public static SigningKey key(int i) {
    return SigningKey.fromSeed(
        Hash.sha256(("cairn test key " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
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
              new NetworkParams.Allocation(key(1).address(), 1_000_000)));

  /** A signed transaction on {@link #PARAMS}' chain. */
  public static Transaction tx(SigningKey from, Address to, long amount, long fee, long nonce) {
    return Transaction.signed(from, CHAIN_ID, to, amount, fee, nonce);
  }

  /** A mined child of {@code parent}, on schedule, with the expected bits and a correct root. */
  public static Block mine(
      NetworkParams p, BlockHeader parent, Address miner, List<Transaction> txs) {
    return mine(p, parent, miner, txs, parent.timestamp() + p.blockTimeMillis());
  }

  /** As {@link #mine(NetworkParams, BlockHeader, Address, List)} with a chosen timestamp. */
  public static Block mine(
      NetworkParams p, BlockHeader parent, Address miner, List<Transaction> txs, long time) {
    List<Hash> ids = new ArrayList<>();
    for (Transaction t : txs) {
      ids.add(t.id());
    }
    BlockHeader h =
        new BlockHeader(
            BlockHeader.VERSION,
            parent.height() + 1,
            parent.hash(),
            Merkle.root(ids),
            miner,
            time,
            nextBits(p, parent),
            0);
    OptionalLong nonce = ProofOfWork.search(h.prefix(), h.bits(), 0, 1L << 32);
    return remember(parent, new Block(h.withNonce(nonce.orElseThrow()), txs));
  }

  /** Context for a child of {@code parent} alone (median = parent's time), clock at {@code now}. */
  public static HeaderContext context(BlockHeader parent, long now) {
    return new HeaderContext(parent, anchorTime(parent), List.of(parent.timestamp()), now);
  }
}
