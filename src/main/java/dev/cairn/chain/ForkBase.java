package dev.cairn.chain;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.TimeRules;
import dev.cairn.chain.model.BlockHeader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to validate a child of {@code header} without the store: the header, the
 * cumulative work of the chain ending in it, the retarget anchor for its children (the timestamp of
 * the height-1 block on its branch; its own timestamp when it is genesis or block 1) and the
 * timestamps of it and up to ten of its ancestors, newest first (for the median time past).
 *
 * <p>The chain owner gives one for a stored header ({@code ChainService.forkBase}); {@link #extend}
 * gives the one of a child, so a run of headers that are not stored can be checked one after the
 * other ({@code HeaderChainCheck}).
 */
public record ForkBase(
    BlockHeader header,
    BigInteger cumulativeWork,
    long anchorTimestamp,
    List<Long> recentTimestamps) {
  /** Copies the list; it must hold 1 to {@link TimeRules#MEDIAN_SPAN} timestamps. */
  public ForkBase {
    recentTimestamps = List.copyOf(recentTimestamps);
    if (recentTimestamps.isEmpty() || recentTimestamps.size() > TimeRules.MEDIAN_SPAN) {
      throw new IllegalArgumentException("need 1 to 11 recent timestamps");
    }
  }

  /** The base of {@code child}, a child of {@link #header} (not checked here). */
  public ForkBase extend(BlockHeader child) {
    List<Long> times = new ArrayList<>(TimeRules.MEDIAN_SPAN);
    times.add(child.timestamp());
    times.addAll(
        recentTimestamps.subList(0, Math.min(recentTimestamps.size(), TimeRules.MEDIAN_SPAN - 1)));
    long anchor = child.height() <= 1 ? child.timestamp() : anchorTimestamp;
    return new ForkBase(child, cumulativeWork.add(CompactTarget.work(child.bits())), anchor, times);
  }
}
