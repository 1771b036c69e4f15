package dev.cairn.chain;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.Difficulty;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Valid chains for attack tests, built the way an attacker builds them. {@link #cheap}: block 1
 * stamped just after its parent, every later block stamped near {@code now}, so the retarget sees
 * the branch far behind schedule and lets almost every block be mined at the proof-of-work limit (a
 * couple of hashes each). {@link #scheduled}: blocks on the retarget's schedule, each at the bits
 * the rule demands, as an honest miner makes them. Both obey every consensus rule.
 */
public final class CheapChain {
  /**
   * {@link ChainFixture.Trivial#PARAMS} with genesis bits 0x1f7fffff: a block on schedule costs
   * about 512 hashes, one at the proof-of-work limit about 2, so honest and cheap chains differ in
   * work.
   */
  public static final NetworkParams PARAMS =
      ChainFixture.Trivial.PARAMS.withGenesisBits(0x1f7fffff);

  private CheapChain() {}

  /**
   * {@code n} empty blocks on genesis that cost almost nothing: block 1 one second after genesis,
   * the others one millisecond apart ending at {@code now}.
   */
  public static List<Block> cheap(NetworkParams p, int n, long now, Address miner) {
    BlockHeader genesis = p.genesisHeader();
    List<Block> out = new ArrayList<>(n);
    Block first = mine(p, genesis, 0, genesis.timestamp() + 1_000, miner);
    out.add(first);
    out.addAll(cheapOn(p, first.header(), first.header().timestamp(), n - 1, now, miner));
    return out;
  }

  /**
   * {@code n} cheap blocks on {@code parent} (not genesis), whose branch's block 1 is stamped
   * {@code anchorTime}: one millisecond apart, the last at {@code now}.
   */
  public static List<Block> cheapOn(
      NetworkParams p, BlockHeader parent, long anchorTime, int n, long now, Address miner) {
    List<Block> out = new ArrayList<>(n);
    long t = Math.max(parent.timestamp() + 1, now - n);
    BlockHeader prev = parent;
    for (int i = 0; i < n; i++) {
      Block b = mine(p, prev, anchorTime, t + i, miner);
      out.add(b);
      prev = b.header();
    }
    return out;
  }

  /**
   * {@code n} empty blocks on genesis on the retarget's schedule: block 1 at {@code start}, then
   * one every {@code blockTimeMillis}, each at the bits the rule demands (the genesis bits).
   */
  public static List<Block> scheduled(NetworkParams p, int n, long start, Address miner) {
    BlockHeader genesis = p.genesisHeader();
    List<Block> out = new ArrayList<>(n);
    Block first = mine(p, genesis, 0, start, miner);
    out.add(first);
    BlockHeader prev = first.header();
    for (int i = 1; i < n; i++) {
      Block b = mine(p, prev, start, start + i * p.blockTimeMillis(), miner);
      out.add(b);
      prev = b.header();
    }
    return out;
  }

  /** The sum of the blocks' work. */
  public static BigInteger work(List<Block> blocks) {
    BigInteger w = BigInteger.ZERO;
    for (Block b : blocks) {
      w = w.add(CompactTarget.work(b.header().bits()));
    }
    return w;
  }

  /** Cumulative work of genesis followed by {@code blocks}. */
  public static BigInteger chainWork(NetworkParams p, List<Block> blocks) {
    return CompactTarget.work(p.genesisHeader().bits()).add(work(blocks));
  }

  /** An empty block on {@code parent} at {@code time}, at the bits the retarget demands. */
  public static Block mine(
      NetworkParams p, BlockHeader parent, long anchorTime, long time, Address miner) {
    int bits = Difficulty.nextBits(p, parent.height(), parent.timestamp(), anchorTime);
    return ChainFixture.mineAt(parent, bits, miner, List.of(), time);
  }
}
