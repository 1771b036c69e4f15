package dev.cairn.node.sync;

import dev.cairn.chain.model.Block;
import dev.cairn.node.sync.SyncPeers.Peer;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The round of {@link SyncState}: the body download of the chosen source's verified header chain
 * ({@link BodyDownload}), its batches fetched from the source and the peers that announce more work
 * than we had, imported in order, refetched elsewhere when a peer fails, and the round ended when
 * it stalls for {@link SyncConfig#stallTimeout} or a batch fails {@link SyncConfig#maxAttempts}
 * times. A source that will not give the bodies of its own headers is handed to {@code unproven}.
 * Owned by the sync owner thread.
 */
final class SyncRound {
  private static final Logger LOG = LogManager.getLogger(SyncManager.class);

  private final SyncContext ctx;
  private final LongSupplier ids;
  private final BiConsumer<Peer, String> unproven;
  private BodyDownload job;
  private boolean importerBusy;

  SyncRound(SyncContext ctx, LongSupplier ids, BiConsumer<Peer, String> unproven) {
    this.ctx = ctx;
    this.ids = ids;
    this.unproven = unproven;
  }

  /** Whether a round is running. */
  boolean running() {
    return job != null;
  }

  /** Whether {@code ps} is the running round's source. */
  boolean isSource(HeaderPresync ps) {
    return job != null && job.source == ps;
  }

  /** The running round's source, or null. */
  HeaderPresync source() {
    return job == null ? null : job.source;
  }

  /** The height the running round aims at (0 without a round). */
  long targetHeight() {
    return job == null ? 0 : job.targetHeight;
  }

  /** Starts a round that downloads the bodies of {@code source}'s header chain. */
  void start(HeaderPresync source, BigInteger ours) {
    Peer p = ctx.peers().get(source.peer);
    long target = Math.max(source.tipHeight(), p.status == null ? 0 : p.status.height());
    job = new BodyDownload(ids.getAsLong(), source, ours, target, ctx.clock().millis());
    LOG.debug(
        "Sync round {} from {}: fork at height {}, headers to {} with work {} (ours {})",
        job.id,
        source.peer.shortString(),
        source.forkHeight(),
        source.tipHeight(),
        source.work(),
        ours);
  }

  /**
   * Ends the round. {@code reason} (null: say nothing) is logged; the source is not asked again for
   * {@code retryMillis}.
   */
  void abandon(String reason, long retryMillis) {
    BodyDownload j = job;
    job = null;
    Peer src = ctx.peers().get(j.source.peer);
    if (reason != null) {
      LOG.info("Sync: abandoning the round from {}: {}", j.source.peer.shortString(), reason);
    }
    if (src != null && src.presync == j.source) {
      src.presync = null;
      src.avoid(ctx.clock().millis() + retryMillis);
    }
  }

  // ---- time

  /** Restarts a round that made no progress for {@link SyncConfig#stallTimeout}. */
  void checkStall(long now) {
    SyncConfig config = ctx.config();
    if (job == null || now - job.lastProgress <= config.stallTimeout().toMillis()) {
      return;
    }
    ctx.counters().increment(SyncCounter.STALLS);
    LOG.warn(
        "Sync: no progress for {}s at height {}; restarting the round",
        config.stallTimeout().toSeconds(),
        ctx.out().chain().height());
    for (BodyDownload.Batch b : job.batches) {
      if (b.state == BodyDownload.State.REQUESTED && b.peer != null) {
        ctx.out().penalize(b.peer, SyncFailure.Kind.TIMEOUT.penalty(), "sync: late batch");
        Peer p = ctx.peers().get(b.peer);
        if (p != null) {
          p.avoid(now + config.peerCooldown().toMillis());
        }
      }
    }
    abandon(null, 0);
  }

  // ---- download

  /**
   * Cuts ready headers into batches, asks for bodies, imports the next batch, ends a done round.
   */
  void download() {
    HeaderPresync src = job.source;
    job.fill(src, ctx.config().batchSize(), ctx.config().maxBufferedBatches());
    job.targetHeight = Math.max(job.targetHeight, src.tipHeight());
    schedule();
    maybeImport();
    if (job != null
        && job.nextImport == job.batches.size()
        && src.readyCount() == 0
        && src.ended
        && src.request == 0
        && !importerBusy) {
      LOG.debug("Sync round {} done at height {}", job.id, ctx.out().chain().height());
      Peer p = ctx.peers().get(src.peer);
      if (p != null) {
        p.presync = null;
      }
      job = null;
      // Our status goes with each status request: peers behind us learn of our new head now
      // rather than at their next refresh (blocks we synced are not gossiped).
      ctx.peers().requestAllStatuses();
    }
  }

  private void schedule() {
    long now = ctx.clock().millis();
    for (int i = job.nextImport; i < job.batches.size(); i++) {
      if (job.inFlight >= ctx.config().maxBatchesInFlight()) {
        return;
      }
      BodyDownload.Batch b = job.batches.get(i);
      if (b.state != BodyDownload.State.PENDING) {
        continue;
      }
      Peer p = pickPeer(b, now);
      if (p == null) {
        return;
      }
      b.state = BodyDownload.State.REQUESTED;
      b.peer = p.id;
      b.attempts++;
      p.inFlight++;
      job.inFlight++;
      ctx.out().requestBlocks(job.id, b.index, p.id, b.remaining());
    }
  }

  /**
   * The source, or a peer that announced more work than we had: not bad in this round, not cooling
   * down, least busy, untried first.
   */
  private Peer pickPeer(BodyDownload.Batch b, long now) {
    Peer best = null;
    boolean bestTried = true;
    for (Peer p : ctx.peers().all()) {
      boolean ahead = p.id.equals(job.source.peer) || p.claim().compareTo(job.startWork) > 0;
      if (!ahead
          || job.bad.contains(p.id)
          || p.inFlight >= ctx.config().maxBatchesPerPeer()
          || (p.avoided(now) && !p.id.equals(job.source.peer))) {
        continue;
      }
      boolean tried = b.tried.contains(p.id);
      if (best == null
          || (bestTried && !tried)
          || (bestTried == tried && p.inFlight < best.inFlight)) {
        best = p;
        bestTried = tried;
      }
    }
    return best;
  }

  private BodyDownload.Batch release(long id, int index, PeerId peer) {
    Peer p = ctx.peers().get(peer);
    if (p != null && p.inFlight > 0) {
      p.inFlight--;
    }
    if (job == null || job.id != id) {
      return null;
    }
    job.inFlight--;
    return job.batches.get(index);
  }

  /** {@code peer} answered batch {@code index} of round {@code id}. */
  void batchDone(long id, int index, PeerId peer, List<Block> blocks) {
    BodyDownload.Batch b = release(id, index, peer);
    if (b == null) {
      return;
    }
    if (blocks.isEmpty()) {
      onBatchFailed(b, peer, new SyncFailure(SyncFailure.Kind.UNAVAILABLE, "empty answer"));
      return;
    }
    b.blocks.addAll(blocks);
    b.state =
        b.blocks.size() < b.hashes.size() ? BodyDownload.State.PENDING : BodyDownload.State.DONE;
    job.lastProgress = ctx.clock().millis();
  }

  /** {@code peer} failed batch {@code index} of round {@code id}: it pays for {@code f}. */
  void batchFailed(long id, int index, PeerId peer, SyncFailure f) {
    ctx.peers().penalise(peer, f);
    BodyDownload.Batch b = release(id, index, peer);
    if (b != null) {
      onBatchFailed(b, peer, f);
    }
  }

  private void onBatchFailed(BodyDownload.Batch b, PeerId peer, SyncFailure f) {
    LOG.debug("Sync: batch {} from {} failed: {}", b.index, peer.shortString(), f.getMessage());
    b.tried.add(peer);
    b.state = BodyDownload.State.PENDING;
    if (f.kind() == SyncFailure.Kind.UNAVAILABLE) {
      if (peer.equals(job.source.peer)) {
        // It sent us these headers and will not give their bodies: it cannot show the work.
        Peer p = ctx.peers().get(peer);
        if (p != null) {
          unproven.accept(p, "has no bodies for the header chain it sent (batch " + b.index + ")");
        }
        return;
      }
      return; // another peer simply does not have that chain: no fault, no attempt used
    }
    if (f.kind() == SyncFailure.Kind.INVALID || f.kind() == SyncFailure.Kind.PROTOCOL) {
      job.bad.add(peer);
    }
    retryOrGiveUp(b, "batch " + b.index + " failed " + b.attempts + " times");
  }

  /** Another attempt at {@code b}, or the end of the round once it used them all. */
  private void retryOrGiveUp(BodyDownload.Batch b, String reason) {
    if (b.attempts >= ctx.config().maxAttempts()) {
      abandon(reason, ctx.config().peerCooldown().toMillis());
    } else {
      ctx.counters().increment(SyncCounter.REFETCHES);
    }
  }

  // ---- import

  private void maybeImport() {
    if (job == null || importerBusy || job.nextImport >= job.batches.size()) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(job.nextImport);
    if (b.state != BodyDownload.State.DONE) {
      return;
    }
    importerBusy = true;
    b.state = BodyDownload.State.IMPORTING;
    ctx.out().importBlocks(job.id, b.index, List.copyOf(b.blocks), "sync " + b.peer.shortString());
  }

  /** The chain imported batch {@code index} of round {@code id}. */
  void imported(long id, int index, int count) {
    importerBusy = false;
    ctx.counters().add(SyncCounter.BLOCKS_IMPORTED, count);
    if (job == null || job.id != id) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(index);
    b.state = BodyDownload.State.IMPORTED;
    b.blocks.clear();
    job.source.handedOut = Math.max(0, job.source.handedOut - b.hashes.size());
    job.nextImport++;
    job.lastProgress = ctx.clock().millis();
  }

  /** The chain refused batch {@code index} of round {@code id}; {@code peerFault}: invalid data. */
  void importFailed(long id, int index, String reason, boolean peerFault) {
    importerBusy = false;
    if (job == null || job.id != id) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(index);
    if (!peerFault) {
      // One of our own rules (an ignored or light branch, a busy chain): nobody's fault.
      abandon("import of batch " + index + ": " + reason, SyncState.OWN_RULE_RETRY_MILLIS);
      return;
    }
    ctx.counters().increment(SyncCounter.INVALID_RESPONSES);
    ctx.out()
        .penalize(b.peer, SyncFailure.Kind.INVALID.penalty(), "sync: invalid block: " + reason);
    LOG.info(
        "Sync: peer {} sent an invalid block ({}); fetching the batch elsewhere", b.peer, reason);
    job.bad.add(b.peer);
    b.tried.add(b.peer);
    b.blocks.clear();
    b.state = BodyDownload.State.PENDING;
    retryOrGiveUp(b, "batch " + index + " invalid from " + b.attempts + " peers");
  }
}
