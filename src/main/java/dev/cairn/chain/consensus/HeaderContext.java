package dev.cairn.chain.consensus;

import dev.cairn.chain.model.BlockHeader;
import java.util.List;

/**
 * What a header is checked against: its parent, the timestamp of the height-1 block on the parent's
 * branch (the retarget anchor, see {@link Difficulty}; ignored when the parent is genesis), the
 * timestamps of the parent and up to ten of its ancestors (for the median), and the local clock (ms
 * since epoch).
 */
public record HeaderContext(
    BlockHeader parent, long anchorTimestamp, List<Long> recentTimestamps, long nowMillis) {
  /** Copies the list. */
  public HeaderContext {
    recentTimestamps = List.copyOf(recentTimestamps);
  }
}
