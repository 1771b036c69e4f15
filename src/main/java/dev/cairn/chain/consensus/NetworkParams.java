package dev.cairn.chain.consensus;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.owner.Copyable;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One network's consensus parameters and genesis, read from {@code networks/<name>.json} by {@link
 * GenesisFile}. Times are milliseconds; amounts are units (10^8 per coin).
 *
 * @param name network name ({@code dev}, {@code test}); protocol ids use it
 * @param chainId signed into every transaction
 * @param genesisTimestamp genesis block time (ms since epoch); not a retarget input (the schedule
 *     starts at block 1, see {@link Difficulty})
 * @param genesisBits compact target of genesis and of block 1; the retarget's anchor target
 * @param powLimitBits easiest allowed target
 * @param blockTimeMillis the block interval the retarget aims for
 * @param halfLifeMillis retarget half-life: being this far behind schedule doubles the target
 * @param maxFutureDriftMillis how far a timestamp may be ahead of the local clock
 * @param initialReward reward of blocks 1 .. halvingInterval
 * @param halvingInterval the reward halves every this many blocks ({@code 0}: never)
 * @param minFee lowest fee a transaction may pay
 * @param allocations genesis balances, positive, addresses distinct; kept sorted by address
 * @param minimumChainWork sync downloads block bodies only for a header chain with at least this
 *     much cumulative work (and more than our head's); 0 = no floor. Set it to the work of a recent
 *     honest chain so that a fresh node cannot be led onto a cheap chain by its first peers.
 */
public record NetworkParams(
    String name,
    int chainId,
    long genesisTimestamp,
    int genesisBits,
    int powLimitBits,
    long blockTimeMillis,
    long halfLifeMillis,
    long maxFutureDriftMillis,
    long initialReward,
    long halvingInterval,
    long minFee,
    List<Allocation> allocations,
    BigInteger minimumChainWork)
    implements Copyable<NetworkParams> {

  /** A genesis balance. */
  public record Allocation(Address address, long balance) {}

  /** Sorts the allocations by address; checks what a loader must already have checked. */
  public NetworkParams {
    allocations =
        allocations.stream()
            .sorted(java.util.Comparator.comparing(a -> a.address().hex()))
            .toList();
    for (int i = 0; i < allocations.size(); i++) {
      if (allocations.get(i).balance() <= 0) {
        throw new IllegalArgumentException("allocation balances must be positive");
      }
      if (i > 0 && allocations.get(i).address().equals(allocations.get(i - 1).address())) {
        throw new IllegalArgumentException("allocation address appears twice");
      }
    }
    if (!CompactTarget.isCanonical(genesisBits) || !CompactTarget.isCanonical(powLimitBits)) {
      throw new IllegalArgumentException("genesis and limit bits must be canonical");
    }
    if (CompactTarget.toTarget(genesisBits).compareTo(CompactTarget.toTarget(powLimitBits)) > 0) {
      throw new IllegalArgumentException("genesis target is above the limit");
    }
    if (blockTimeMillis <= 0 || halfLifeMillis <= 0 || maxFutureDriftMillis < 0) {
      throw new IllegalArgumentException("times must be positive");
    }
    if (maxFutureDriftMillis > halfLifeMillis) {
      // A timestamp stamped maxFutureDrift ahead eases the next target by 2^(drift/halfLife).
      throw new IllegalArgumentException("maxFutureDriftMillis must not exceed halfLifeMillis");
    }
    if (initialReward < 0 || halvingInterval < 0 || minFee < 0) {
      throw new IllegalArgumentException("reward, halving interval and fee must not be negative");
    }
    if (minimumChainWork == null || minimumChainWork.signum() < 0) {
      throw new IllegalArgumentException("minimumChainWork must not be negative");
    }
  }

  /** The same parameters with another minimum chain work. */
  public NetworkParams withMinimumChainWork(BigInteger work) {
    return copy().set("minimumChainWork", work).build();
  }

  /** The same parameters with another chain id (another genesis, so another network). */
  public NetworkParams withChainId(int id) {
    return copy().set("chainId", id).build();
  }

  /** The same parameters with other genesis bits (another genesis, so another network). */
  public NetworkParams withGenesisBits(int bits) {
    return copy().set("genesisBits", bits).build();
  }

  /** The easiest allowed target. */
  public BigInteger powLimit() {
    return CompactTarget.toTarget(powLimitBits);
  }

  /** The reward of the block at {@code height}: none at genesis, then halving. */
  public long reward(long height) {
    if (height <= 0) {
      return 0;
    }
    if (halvingInterval == 0) {
      return initialReward;
    }
    long halvings = (height - 1) / halvingInterval;
    return halvings >= 63 ? 0 : initialReward >> halvings;
  }

  /** Sum of the genesis balances. */
  public long genesisSupply() {
    long sum = 0;
    for (Allocation a : allocations) {
      sum = Math.addExact(sum, a.balance());
    }
    return sum;
  }

  /**
   * Commitment to the genesis state, the genesis header's Merkle root: SHA-256 of "cairn-genesis",
   * chain id (u32), allocation count (u32), then each allocation as address (20) ‖ balance (u64).
   */
  public Hash allocationsRoot() {
    ByteBuffer b = ByteBuffer.allocate(13 + 8 + allocations.size() * 28);
    b.put("cairn-genesis".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(chainId);
    b.putInt(allocations.size());
    for (Allocation a : allocations) {
      b.put(a.address().bytes());
      b.putLong(a.balance());
    }
    return Hash.sha256(b.array());
  }

  /** The genesis header: height 0, zero parent and miner, nonce 0, not proof-of-work checked. */
  public BlockHeader genesisHeader() {
    return new BlockHeader(
        BlockHeader.VERSION,
        0,
        Hash.ZERO,
        allocationsRoot(),
        Address.of(new byte[Address.SIZE]),
        genesisTimestamp,
        genesisBits,
        0);
  }
}
