package dev.cairn.chain;

import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import java.util.List;

/**
 * The head moved. Listeners run on the chain owner thread and must return at once (set a flag,
 * offer to a queue); they must never wait on the chain service.
 *
 * @param previous the view before
 * @param current the view after
 * @param disconnected blocks that left the canonical chain, newest first
 * @param connected blocks that joined it, oldest first
 * @param promoted queued mempool transactions the new head made executable (now pooled: relay them)
 */
public record HeadChange(
    ChainView previous,
    ChainView current,
    List<Hash> disconnected,
    List<Hash> connected,
    List<Transaction> promoted) {
  /** Copies the lists. */
  public HeadChange {
    disconnected = List.copyOf(disconnected);
    connected = List.copyOf(connected);
    promoted = List.copyOf(promoted);
  }

  /** A head change that promoted no transaction. */
  public HeadChange(
      ChainView previous, ChainView current, List<Hash> disconnected, List<Hash> connected) {
    this(previous, current, disconnected, connected, List.of());
  }

  /** True if blocks were disconnected (a reorg). */
  public boolean isReorg() {
    return !disconnected.isEmpty();
  }
}
