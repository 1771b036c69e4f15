package dev.cairn.node.sync;

import dev.cairn.owner.Copyable;
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
    int presyncHeaders)
    implements Copyable<SyncConfig> {

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
    return new SyncConfig(
        32, // batchSize
        8, // maxBatchesInFlight
        2, // maxBatchesPerPeer
        16, // maxBufferedBatches
        4, // maxAttempts
        Duration.ofSeconds(5), // firstByteTimeout
        Duration.ofSeconds(20), // responseTimeout
        Duration.ofSeconds(30), // stallTimeout
        Duration.ofSeconds(30), // statusRefresh
        Duration.ofSeconds(5), // progressLogInterval
        Duration.ofMinutes(10), // refusedBan
        Duration.ofMillis(500), // refuseGrace
        Duration.ofSeconds(30), // peerCooldown
        32, // maxOrphanDepth
        4, // presyncPeers
        50_000); // presyncHeaders
  }

  /** The same with other request and stall timeouts (tests use short ones). */
  public SyncConfig withTimeouts(Duration firstByte, Duration response, Duration stall) {
    return copy()
        .set("firstByteTimeout", firstByte)
        .set("responseTimeout", response)
        .set("stallTimeout", stall)
        .build();
  }

  /** The same with another status refresh interval. */
  public SyncConfig withStatusRefresh(Duration d) {
    return copy().set("statusRefresh", d).build();
  }

  /** The same with other presync bounds (peers at once, headers per peer). */
  public SyncConfig withPresync(int peers, int headers) {
    return copy().set("presyncPeers", peers).set("presyncHeaders", headers).build();
  }
}
