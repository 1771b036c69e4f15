package dev.cairn.p2p.gossip;

import java.time.Clock;
import java.util.Random;

/**
 * A part of {@link GossipState} ({@link Mesh}, {@link Gossip}, {@link Backoff}, {@link
 * Validation}): it shares the state's config, clock, randomness, peer table, scores, outbox and
 * caches (seen ids, recent messages), and is stepped on the state's owner thread only.
 */
abstract class GossipPart {
  final GossipConfig config;
  final Clock clock;
  final Random random;
  final GossipPeers peers;
  final PeerScore score;
  final Outbox outbox;
  final SeenCache seen;
  final MessageCache mcache;

  /** The parts' common ground, made once by the state. */
  record Shared(
      GossipConfig config,
      Clock clock,
      Random random,
      GossipPeers peers,
      PeerScore score,
      Outbox outbox,
      SeenCache seen,
      MessageCache mcache) {}

  GossipPart(Shared shared) {
    this.config = shared.config();
    this.clock = shared.clock();
    this.random = shared.random();
    this.peers = shared.peers();
    this.score = shared.score();
    this.outbox = shared.outbox();
    this.seen = shared.seen();
    this.mcache = shared.mcache();
  }
}
