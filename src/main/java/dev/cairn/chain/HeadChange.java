package dev.cairn.chain;

import dev.cairn.chain.model.Hash;
import java.util.List;

/**
 * The head moved. Listeners run on the chain owner thread and must return at once (set a flag,
 * offer to a queue); they must never wait on the chain service.
 *
 * @param previous the view before
 * @param current the view after
 * @param disconnected blocks that left the canonical chain, newest first
 * @param connected blocks that joined it, oldest first
 */
public record HeadChange(
    ChainView previous, ChainView current, List<Hash> disconnected, List<Hash> connected) {
  /** Copies the lists. */
  public HeadChange {
    disconnected = List.copyOf(disconnected);
    connected = List.copyOf(connected);
  }

  /** True if blocks were disconnected (a reorg). */
  public boolean isReorg() {
    return !disconnected.isEmpty();
  }
}
