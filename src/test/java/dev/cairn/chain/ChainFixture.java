package dev.cairn.chain;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small network for chain-owner tests: keys 0..3 funded, one-second blocks and a ten-second
 * retarget half-life, so a branch of fast blocks is harder (more work per block) than one of slow
 * blocks. Genesis bits 0x1f7fffff (about 256 hashes a block on schedule), limit 0x207fffff.
 */
public final class ChainFixture {
  /** Chain id. */
  public static final int CHAIN_ID = 99;

  /** Genesis time. */
  public static final long T0 = 1_795_219_200_000L;

  /** A clock well after genesis (slow branches stay in the past). */
  public static final long NOW = T0 + 30L * 24 * 3600_000;

  private static final SigningKey[] KEYS = new SigningKey[8];

  static {
    for (int i = 0; i < KEYS.length; i++) {
      KEYS[i] =
          SigningKey.fromSeed(
              Hash.sha256(("cairn chain2 key " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
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
              new NetworkParams.Allocation(KEYS[3].address(), 1_000_000)));

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
            parent.timestamp() + dt,
            TestChain.nextBits(PARAMS, parent),
            0);
    long nonce = ProofOfWork.search(h.prefix(), h.bits(), 0, Long.MAX_VALUE).orElseThrow();
    return TestChain.remember(parent, new Block(h.withNonce(nonce), txs));
  }

  /** A mined child with no transactions. */
  public static Block mine(BlockHeader parent, long dt) {
    return mine(parent, dt, MINER, List.of());
  }

  /** {@code n} empty blocks after {@code parent}, {@code dt} apart, paying {@code miner}. */
  public static List<Block> branch(BlockHeader parent, int n, long dt, Address miner) {
    List<Block> out = new ArrayList<>();
    BlockHeader p = parent;
    for (int i = 0; i < n; i++) {
      Block b = mine(p, dt, miner, List.of());
      out.add(b);
      p = b.header();
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
}
