package dev.cairn.node.sync;

import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncPeers.Peer;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.HashSet;
import java.util.Set;

/**
 * The ancestor fetches of orphan blocks (gossiped blocks whose parent we lack), at most {@link
 * #MAX_ORPHAN_FETCHES} at once; a gap deeper than a fetch reaches is left to a sync round. Owned by
 * the sync owner thread.
 */
final class OrphanFetches {
  /** Most orphan-ancestor fetches at once; more orphans wait for the next sync round. */
  static final int MAX_ORPHAN_FETCHES = 4;

  private final SyncPeers peers;
  private final SyncOutput out;
  private final Set<Hash> fetching = new HashSet<>();

  OrphanFetches(SyncPeers peers, SyncOutput out) {
    this.peers = peers;
    this.out = out;
  }

  /** Asks {@code peer} for the ancestors of {@code wanted}, unless full or already asked. */
  void fetch(PeerId peer, Hash wanted) {
    if (fetching.size() < MAX_ORPHAN_FETCHES && fetching.add(wanted)) {
      out.fetchAncestors(peer, wanted);
    }
  }

  /** A fetch ended; {@code deeper}: the gap goes on below what it brought. */
  void done(PeerId peer, Hash wanted, boolean deeper) {
    fetching.remove(wanted);
    Peer p = peers.get(peer);
    if (deeper && p != null && !p.statusInFlight) {
      peers.requestStatus(p); // a long gap: let a sync round fetch it
    }
  }
}
