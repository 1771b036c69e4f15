package dev.cairn.node.sync;

import java.time.Duration;

/**
 * Sync limits and timings.
 *
 * @param batchSize blocks asked for in one blocks_by_hash request (at most 128)
 * @param maxBatchesInFlight batch requests outstanding at once, over all peers
 * @param maxBatchesPerPeer batch requests outstanding at one peer (below the responder's limit)
 * @param maxBufferedBatches downloaded batches waiting for import, past the next one to import;
 *     downloads stop at this bound (memory: batchSize × this × block size)
 * @param maxAttempts times one batch is tried (each time at another peer if there is one) before
 *     the sync round is abandoned and the header peer blamed
 * @param firstByteTimeout time to the first byte of an answer (a late peer is penalised)
 * @param responseTimeout time for a whole answer
 * @param stallTimeout a sync round that imports nothing for this long is restarted and the peers it
 *     waits for are penalised
 * @param statusRefresh every connected peer's status is asked again this often
 * @param progressLogInterval the progress line is logged this often while syncing
 * @param refusedBan how long a peer of another network or genesis is banned
 * @param refuseGrace time between refusing a peer and disconnecting it, so that it can read our
 *     status and log the reason too
 * @param peerCooldown a peer whose headers failed is not asked for headers again for this long
 * @param maxOrphanDepth ancestors fetched by hash for a gossiped orphan before asking the peer for
 *     its status instead (a longer gap is a sync, not an orphan)
 * @param presyncPeers peers whose header chains are fetched and checked at once (a status is only a
 *     hint: each peer that announces more work than ours gets its turn, so a few withholding peers
 *     cannot delay an honest one)
 * @param presyncHeaders most verified headers held for one peer (memory: about {@value
 *     HeaderPresync#HEADER_HEAP_BYTES} bytes each); a chain that needs more to show more work than
 *     ours (and the network's minimum chain work) is dropped and its peer not asked for a cool-down
 */
public record SyncConfig(
    int batchSize,
    int maxBatchesInFlight,
    int maxBatchesPerPeer,
    int maxBufferedBatches,
    int maxAttempts,
    Duration firstByteTimeout,
    Duration responseTimeout,
    Duration stallTimeout,
    Duration statusRefresh,
    Duration progressLogInterval,
    Duration refusedBan,
    Duration refuseGrace,
    Duration peerCooldown,
    int maxOrphanDepth,
    int presyncPeers,
    int presyncHeaders) {

  public SyncConfig {
    if (batchSize < 1 || batchSize > SyncCodec.MAX_BLOCKS) {
      throw new IllegalArgumentException("batch size must be 1.." + SyncCodec.MAX_BLOCKS);
    }
    if (maxBatchesInFlight < 1 || maxBatchesPerPeer < 1 || maxBufferedBatches < 1) {
      throw new IllegalArgumentException("in-flight bounds must be positive");
    }
    if (maxAttempts < 1 || maxOrphanDepth < 1) {
      throw new IllegalArgumentException("attempts and orphan depth must be positive");
    }
    if (presyncPeers < 1 || presyncHeaders < batchSize) {
      throw new IllegalArgumentException("presync peers must be positive, its budget a batch");
    }
  }

  /**
   * 32-block batches, 8 in flight (2 per peer), 5 s to first byte, a 30 s stall bound; header
   * chains of 4 peers at once, 50,000 headers (about 16 MB) each.
   */
  public static SyncConfig defaults() {
    return new Builder().build();
  }

  /** The same with other request and stall timeouts (tests use short ones). */
  public SyncConfig withTimeouts(Duration firstByte, Duration response, Duration stall) {
    Builder b = toBuilder();
    b.firstByteTimeout = firstByte;
    b.responseTimeout = response;
    b.stallTimeout = stall;
    return b.build();
  }

  /** The same with another status refresh interval. */
  public SyncConfig withStatusRefresh(Duration d) {
    Builder b = toBuilder();
    b.statusRefresh = d;
    return b.build();
  }

  /** The same with another batch size. */
  public SyncConfig withBatchSize(int n) {
    Builder b = toBuilder();
    b.batchSize = n;
    return b.build();
  }

  /** The same with other presync bounds (peers at once, headers per peer). */
  public SyncConfig withPresync(int peers, int headers) {
    Builder b = toBuilder();
    b.presyncPeers = peers;
    b.presyncHeaders = headers;
    return b.build();
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.batchSize = batchSize;
    b.maxBatchesInFlight = maxBatchesInFlight;
    b.maxBatchesPerPeer = maxBatchesPerPeer;
    b.maxBufferedBatches = maxBufferedBatches;
    b.maxAttempts = maxAttempts;
    b.firstByteTimeout = firstByteTimeout;
    b.responseTimeout = responseTimeout;
    b.stallTimeout = stallTimeout;
    b.statusRefresh = statusRefresh;
    b.progressLogInterval = progressLogInterval;
    b.refusedBan = refusedBan;
    b.refuseGrace = refuseGrace;
    b.peerCooldown = peerCooldown;
    b.maxOrphanDepth = maxOrphanDepth;
    b.presyncPeers = presyncPeers;
    b.presyncHeaders = presyncHeaders;
    return b;
  }

  /**
   * The one copy-builder: its fields start at {@link #defaults()}'s values; a wither copies a
   * config into it ({@code toBuilder}), sets what differs and builds, so the canonical constructor
   * is called in one place.
   */
  private static final class Builder {
    int batchSize = 32;
    int maxBatchesInFlight = 8;
    int maxBatchesPerPeer = 2;
    int maxBufferedBatches = 16;
    int maxAttempts = 4;
    Duration firstByteTimeout = Duration.ofSeconds(5);
    Duration responseTimeout = Duration.ofSeconds(20);
    Duration stallTimeout = Duration.ofSeconds(30);
    Duration statusRefresh = Duration.ofSeconds(30);
    Duration progressLogInterval = Duration.ofSeconds(5);
    Duration refusedBan = Duration.ofMinutes(10);
    Duration refuseGrace = Duration.ofMillis(500);
    Duration peerCooldown = Duration.ofSeconds(30);
    int maxOrphanDepth = 32;
    int presyncPeers = 4;
    int presyncHeaders = 50_000;

    SyncConfig build() {
      return new SyncConfig(
          batchSize,
          maxBatchesInFlight,
          maxBatchesPerPeer,
          maxBufferedBatches,
          maxAttempts,
          firstByteTimeout,
          responseTimeout,
          stallTimeout,
          statusRefresh,
          progressLogInterval,
          refusedBan,
          refuseGrace,
          peerCooldown,
          maxOrphanDepth,
          presyncPeers,
          presyncHeaders);
    }
  }
}
