package dev.cairn.chain;

import dev.cairn.chain.mempool.Mempool;

/**
 * The chain owner's bounds and policies.
 *
 * @param maxReorgDepth deepest reorg followed: a branch forking more blocks below the head is
 *     ignored
 * @param maxOrphans most blocks in the orphan pool
 * @param maxOrphanBytes most encoded bytes in the orphan pool
 * @param orphanExpiryMillis how long an orphan waits for its parent
 * @param mailboxCapacity the service's command queue length
 * @param recentHeaders canonical headers carried by each {@link ChainView}
 * @param syncWrites fsync every batch that moves the head (see {@code ChainStore})
 * @param mempool the mempool's bounds
 */
public record ChainConfig(
    int maxReorgDepth,
    int maxOrphans,
    long maxOrphanBytes,
    long orphanExpiryMillis,
    int mailboxCapacity,
    int recentHeaders,
    boolean syncWrites,
    Mempool.Config mempool) {
  /**
   * Reorgs up to 1,000 blocks; 256 orphans or 32 MiB, for 10 minutes; 1,024 commands; 256 recent
   * headers; fsync on.
   */
  public static ChainConfig defaults() {
    return new ChainConfig(
        1_000, 256, 32L << 20, 600_000, 1_024, 256, true, Mempool.Config.defaults());
  }

  /** The same with another reorg bound. */
  public ChainConfig withMaxReorgDepth(int depth) {
    return new ChainConfig(
        depth,
        maxOrphans,
        maxOrphanBytes,
        orphanExpiryMillis,
        mailboxCapacity,
        recentHeaders,
        syncWrites,
        mempool);
  }

  /** The same with other orphan bounds. */
  public ChainConfig withOrphanBounds(int count, long bytes) {
    return new ChainConfig(
        maxReorgDepth,
        count,
        bytes,
        orphanExpiryMillis,
        mailboxCapacity,
        recentHeaders,
        syncWrites,
        mempool);
  }

  /** The same with other mempool bounds. */
  public ChainConfig withMempool(Mempool.Config m) {
    return new ChainConfig(
        maxReorgDepth,
        maxOrphans,
        maxOrphanBytes,
        orphanExpiryMillis,
        mailboxCapacity,
        recentHeaders,
        syncWrites,
        m);
  }

  /** The same with another mailbox capacity. */
  public ChainConfig withMailboxCapacity(int capacity) {
    return new ChainConfig(
        maxReorgDepth,
        maxOrphans,
        maxOrphanBytes,
        orphanExpiryMillis,
        capacity,
        recentHeaders,
        syncWrites,
        mempool);
  }

  /** The same with fsync on or off. */
  public ChainConfig withSyncWrites(boolean sync) {
    return new ChainConfig(
        maxReorgDepth,
        maxOrphans,
        maxOrphanBytes,
        orphanExpiryMillis,
        mailboxCapacity,
        recentHeaders,
        sync,
        mempool);
  }
}
