package dev.cairn.p2p.gossip;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's drop and IDONTWANT counters, bumped from the owner thread and from peers' reader
 * threads, and the bytes its owner-held queues hold (published by the owner after each command),
 * read from any thread as a {@link GossipStats}.
 */
final class GossipCounters {
  final AtomicLong heldDropped = new AtomicLong();
  final AtomicLong heldDroppedBytes = new AtomicLong();
  final AtomicLong queueDropped = new AtomicLong();
  final AtomicLong queueDroppedBytes = new AtomicLong();
  final AtomicLong slowPeers = new AtomicLong();
  final AtomicLong validationsDropped = new AtomicLong();
  final AtomicLong validationsDroppedBytes = new AtomicLong();
  final AtomicLong inboundDropped = new AtomicLong();
  final AtomicLong inboundDroppedBytes = new AtomicLong();
  final AtomicLong idontwantSent = new AtomicLong();
  final AtomicLong idontwantReceived = new AtomicLong();
  final AtomicLong idontwantSuppressed = new AtomicLong();

  /** Bytes held for peers whose stream from us opens, as of the owner's last command. */
  volatile long heldBytes;

  /** Bytes of messages in validation, as of the owner's last command. */
  volatile long pendingValidationBytes;

  /**
   * The counters, with the bytes now queued to peers' writers ({@code queuedBytes}) and of peers'
   * RPCs waiting in the router's mailbox ({@code mailboxBytes}).
   */
  GossipStats snapshot(long queuedBytes, long mailboxBytes) {
    return new GossipStats(
        heldDropped.get(),
        queueDropped.get(),
        queueDroppedBytes.get(),
        slowPeers.get(),
        validationsDropped.get(),
        inboundDropped.get(),
        idontwantSent.get(),
        idontwantReceived.get(),
        idontwantSuppressed.get(),
        heldDroppedBytes.get(),
        validationsDroppedBytes.get(),
        inboundDroppedBytes.get(),
        queuedBytes,
        heldBytes,
        pendingValidationBytes,
        mailboxBytes);
  }
}
