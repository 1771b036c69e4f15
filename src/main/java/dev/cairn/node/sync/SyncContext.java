package dev.cairn.node.sync;

import dev.cairn.chain.consensus.NetworkParams;
import java.time.Clock;

/**
 * What the parts of {@link SyncState} ({@link PresyncTurns}, {@link SyncRound}, {@link
 * SyncProgress}, {@link OrphanFetches}) share: the settings, the network's rules, the clock, the
 * way out for effects, the counters and the peer table. Owned by the sync owner thread.
 */
record SyncContext(
    SyncConfig config,
    NetworkParams params,
    Clock clock,
    SyncOutput out,
    SyncCounters counters,
    SyncPeers peers) {

  /** Now plus the cool-down of a peer that let us down. */
  long cooldownFromNow() {
    return clock.millis() + config.peerCooldown().toMillis();
  }
}
