package dev.cairn.p2p.gossip;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's drop and IDONTWANT counters, bumped from the owner thread and from peers' reader
 * threads, read from any thread as a {@link GossipStats}.
 */
final class GossipCounters {
  final AtomicLong heldDropped = new AtomicLong();
  final AtomicLong queueDropped = new AtomicLong();
  final AtomicLong queueDroppedBytes = new AtomicLong();
  final AtomicLong slowPeers = new AtomicLong();
  final AtomicLong validationsDropped = new AtomicLong();
  final AtomicLong inboundDropped = new AtomicLong();
  final AtomicLong idontwantSent = new AtomicLong();
  final AtomicLong idontwantReceived = new AtomicLong();
  final AtomicLong idontwantSuppressed = new AtomicLong();

  GossipStats snapshot() {
    return new GossipStats(
        heldDropped.get(),
        queueDropped.get(),
        queueDroppedBytes.get(),
        slowPeers.get(),
        validationsDropped.get(),
        inboundDropped.get(),
        idontwantSent.get(),
        idontwantReceived.get(),
        idontwantSuppressed.get());
  }
}
