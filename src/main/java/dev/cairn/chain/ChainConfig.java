package dev.cairn.chain;

import dev.cairn.chain.mempool.Mempool;
import dev.cairn.owner.Copyable;

/**
 * The chain owner's bounds and policies.
 *
 * @param maxInvalidBlocks most block hashes remembered as invalid in memory (oldest forgotten
 *     first; an entry is a hash, a reason and a short detail, under 512 bytes, so 10,000 entries
 *     stay under 5 MiB)
 * @param maxOrphans most blocks in the orphan pool
 * @param maxOrphanBytes most encoded bytes in the orphan pool
 * @param orphanExpiryMillis how long an orphan waits for its parent
 * @param mailboxCapacity the service's command queue length
 * @param recentHeaders canonical headers carried by each {@link ChainView}
 * @param syncWrites fsync every batch that moves the head (see {@code ChainStore})
 * @param mempool the mempool's bounds
 */
public record ChainConfig(
    int maxInvalidBlocks,
    int maxOrphans,
    long maxOrphanBytes,
    long orphanExpiryMillis,
    int mailboxCapacity,
    int recentHeaders,
    boolean syncWrites,
    Mempool.Config mempool)
    implements Copyable<ChainConfig> {
  /**
   * 10,000 remembered invalid blocks; 256 orphans or 32 MiB, for 10 minutes; 1,024 commands; 256
   * recent headers; fsync on.
   */
  public static ChainConfig defaults() {
    return new ChainConfig(
        10_000, 256, 32L << 20, 600_000, 1_024, 256, true, Mempool.Config.defaults());
  }

  /** The same with other orphan bounds. */
  public ChainConfig withOrphanBounds(int count, long bytes) {
    return copy().set("maxOrphans", count).set("maxOrphanBytes", bytes).build();
  }

  /** The same with fsync on or off. */
  public ChainConfig withSyncWrites(boolean sync) {
    return copy().set("syncWrites", sync).build();
  }
}
