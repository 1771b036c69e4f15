package dev.cairn.node.sync;

import dev.cairn.chain.ChainView;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Duration;
import java.util.List;

/**
 * Where {@link SyncState}'s effects go, and the little it reads of the world. Called on the sync
 * owner thread; every method returns at once: requests and imports run elsewhere and come back as
 * {@link SyncEvent}s.
 */
interface SyncOutput {
  /** Our chain's latest snapshot. */
  ChainView chain();

  boolean isConnected(PeerId peer);

  /**
   * The network whose status protocol identify says {@code peer} serves: null while identify has
   * not answered, "" for a peer that serves none (not a Cairn node).
   */
  String identifiedNetwork(PeerId peer);

  /** Send our status to {@code peer}; its answer comes back as StatusOut or StatusFailed. */
  void requestStatus(PeerId peer);

  /**
   * Ask {@code peer} for at most {@code max} headers after {@code after} (null: after our locator);
   * the answer comes back as {@link SyncEvent.Headers} (with the fork base looked up) or
   * HeadersFailed.
   */
  void requestHeaders(long request, PeerId peer, Hash after, int max);

  /** Fetch blocks by hash from {@code peer}; BatchDone or BatchFailed. */
  void requestBlocks(long job, int index, PeerId peer, List<Hash> hashes);

  /** Import {@code blocks} in order as requested sync bodies; Imported or ImportFailed. */
  void importBlocks(long job, int index, List<Block> blocks, String source);

  /** Fetch the missing ancestors of a gossiped orphan from {@code peer}; OrphanDone. */
  void fetchAncestors(PeerId peer, Hash wanted);

  /** Lower {@code peer}'s host standing. */
  void penalize(PeerId peer, int points, String reason);

  /** Disconnect {@code peer} and refuse it for {@code duration}. */
  void ban(PeerId peer, Duration duration, String reason);
}
