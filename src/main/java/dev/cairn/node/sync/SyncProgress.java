package dev.cairn.node.sync;

import dev.cairn.chain.ChainView;
import dev.cairn.node.sync.SyncPeers.Peer;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sync's progress: the import rate measured every {@link SyncConfig#progressLogInterval} (logged
 * while a round runs) and the {@link SyncStatus} snapshot for the API. Owned by the sync owner
 * thread.
 */
final class SyncProgress {
  private static final Logger LOG = LogManager.getLogger(SyncManager.class);

  private final SyncContext ctx;

  /** When the rate was last measured, and the blocks imported by then. */
  private long lastLogMillis;

  private long importedAtLastLog;

  /** Blocks imported per second over the last interval. */
  private double rate;

  SyncProgress(SyncContext ctx) {
    this.ctx = ctx;
    this.lastLogMillis = ctx.clock().millis();
  }

  /** Measures the rate once per interval and logs the progress of {@code round} if it runs. */
  void tick(long now, SyncRound round) {
    long elapsed = now - lastLogMillis;
    if (elapsed < ctx.config().progressLogInterval().toMillis()) {
      return;
    }
    long imported = ctx.counters().get(SyncCounter.BLOCKS_IMPORTED);
    rate = elapsed == 0 ? 0 : (imported - importedAtLastLog) * 1e3 / elapsed;
    importedAtLastLog = imported;
    lastLogMillis = now;
    if (round.running()) {
      SyncStatus s = snapshot(round);
      LOG.info(
          "Sync: height {} of {}, {} blocks/s, {} peers, ETA {}",
          s.headHeight(),
          s.targetHeight(),
          String.format(Locale.ROOT, "%.1f", s.blocksPerSecond()),
          s.peers(),
          s.etaSeconds() < 0 ? "unknown" : s.etaSeconds() + "s");
    }
  }

  /** Progress for the API and logs, {@code round} the running round if any. */
  SyncStatus snapshot(SyncRound round) {
    ChainView view = ctx.out().chain();
    long target = view.height();
    int known = 0;
    for (Peer p : ctx.peers().all()) {
      if (p.status != null) {
        known++;
        if (p.claim().compareTo(view.cumulativeWork()) > 0) {
          target = Math.max(target, p.status.height());
        }
      }
    }
    if (round.running()) {
      target = Math.max(target, round.targetHeight());
    }
    long left = Math.max(0, target - view.height());
    long eta = rate > 0 ? Math.round(left / rate) : (left == 0 ? 0 : -1);
    return new SyncStatus(
        round.running() ? SyncStatus.State.SYNCING : SyncStatus.State.IDLE,
        view.height(),
        target,
        known,
        rate,
        eta);
  }
}
