package dev.cairn.p2p.gossip;

/**
 * Score thresholds (gossipsub v1.1, "Score Thresholds"). Defaults are js-libp2p's.
 *
 * @param gossip below it, no gossip (IHAVE/IWANT) to or from the peer; negative
 * @param publish below it, our own messages are not flood-published to the peer; at most gossip
 * @param graylist below it, every RPC from the peer is ignored; below publish
 * @param acceptPx PX from a PRUNE is followed only from peers at or above it; non-negative
 * @param opportunisticGraft the mesh's median score under which opportunistic grafting runs
 */
public record PeerScoreThresholds(
    double gossip, double publish, double graylist, double acceptPx, double opportunisticGraft) {
  public PeerScoreThresholds {
    if (!(gossip <= 0 && publish <= gossip && graylist < publish && acceptPx >= 0)) {
      throw new IllegalArgumentException("need graylist < publish <= gossip <= 0 <= acceptPx");
    }
  }

  public static PeerScoreThresholds defaults() {
    return new PeerScoreThresholds(-10, -50, -80, 10, 20);
  }
}
