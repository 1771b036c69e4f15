package dev.cairn.node.sync;

/**
 * A snapshot of sync progress for the API and logs.
 *
 * @param state IDLE (nothing to fetch) or SYNCING (a round is under way)
 * @param headHeight our head height
 * @param targetHeight the highest height a peer with more work than ours announced (our head height
 *     when none)
 * @param peers peers whose status we know (same network and genesis)
 * @param blocksPerSecond blocks imported per second over the last progress interval
 * @param etaSeconds estimated seconds to the target at that rate (-1 when unknown)
 */
public record SyncStatus(
    State state,
    long headHeight,
    long targetHeight,
    int peers,
    double blocksPerSecond,
    long etaSeconds) {
  /** Whether a sync round is under way. */
  public enum State {
    IDLE,
    SYNCING
  }

  /** Before the first status exchange. */
  public static SyncStatus idle(long height) {
    return new SyncStatus(State.IDLE, height, height, 0, 0, -1);
  }
}
