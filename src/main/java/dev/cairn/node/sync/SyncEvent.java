package dev.cairn.node.sync;

import dev.cairn.chain.ForkBase;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.List;

/**
 * What {@link SyncState} is stepped by: connection changes, statuses, the answers to the requests
 * and imports it asked for through {@link SyncOutput}, gossip orphans and clock ticks.
 */
sealed interface SyncEvent {
  record Connected(PeerId peer) implements SyncEvent {}

  record Disconnected(PeerId peer) implements SyncEvent {}

  /** A peer sent its status with its request to us. */
  record StatusIn(PeerId peer, Status status) implements SyncEvent {}

  /** A peer answered our status request. */
  record StatusOut(PeerId peer, Status status) implements SyncEvent {}

  record StatusFailed(PeerId peer, SyncFailure failure) implements SyncEvent {}

  /**
   * Headers answering request {@code request} for {@code asked}. {@code fork} is the base of the
   * first header's parent when that parent is not the hash the request continued after (null if it
   * is, or if we do not know that block).
   */
  record Headers(long request, PeerId peer, List<BlockHeader> headers, int asked, ForkBase fork)
      implements SyncEvent {
    public Headers {
      headers = List.copyOf(headers);
    }
  }

  record HeadersFailed(long request, PeerId peer, SyncFailure failure) implements SyncEvent {}

  record BatchDone(long job, int index, PeerId peer, List<Block> blocks) implements SyncEvent {
    public BatchDone {
      blocks = List.copyOf(blocks);
    }
  }

  record BatchFailed(long job, int index, PeerId peer, SyncFailure failure) implements SyncEvent {}

  record Imported(long job, int index, int blocks) implements SyncEvent {}

  /** {@code peerFault}: the chain found a block invalid (else one of our own rules refused it). */
  record ImportFailed(long job, int index, String reason, boolean peerFault) implements SyncEvent {}

  /** A gossiped block from {@code peer} was orphaned; {@code wanted} is its missing ancestor. */
  record Orphan(PeerId peer, Hash wanted) implements SyncEvent {}

  record OrphanDone(PeerId peer, Hash wanted, boolean deeper) implements SyncEvent {}

  /** Time passed (read the clock). */
  record Tick() implements SyncEvent {}
}
