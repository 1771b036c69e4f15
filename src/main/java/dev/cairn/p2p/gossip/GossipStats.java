package dev.cairn.p2p.gossip;

/**
 * Counters of what the gossip router dropped at its bounds and of its IDONTWANT traffic, since it
 * started, and the bytes its bounded queues hold now. A snapshot: {@link GossipRouter#stats()}
 * makes a new one each call. The node shows them at {@code /metrics} as {@code cairn_gossip_*}
 * (docs/API.md).
 *
 * @param heldDropped RPC pieces (messages, or a batch of control) not kept for a peer whose stream
 *     from us was still opening, because its held batch was at {@link GossipConfig#maxHeldBytes()}
 * @param queueDropped RPCs not queued to a peer's writer because its queue was at {@link
 *     GossipConfig#peerQueue()} RPCs or {@link GossipConfig#peerQueueBytes()} bytes (the peer is
 *     then dropped)
 * @param queueDroppedBytes the bytes of those RPCs
 * @param slowPeers peers disconnected because their outbound queue was full
 * @param validationsDropped messages not validated because the pending-validation queue was at
 *     {@link GossipConfig#maxPendingValidations()} messages or {@link
 *     GossipConfig#maxPendingValidationBytes()} bytes
 * @param inboundDropped peers' RPCs dropped before the router looked at them: its mailbox was full
 *     or the RPCs waiting in it were at {@link GossipConfig#mailboxBytes()} bytes
 * @param idontwantSent message ids we announced in IDONTWANT
 * @param idontwantReceived message ids peers announced to us in IDONTWANT (and we kept)
 * @param idontwantSuppressed messages not sent to a peer because it had told us IDONTWANT
 * @param heldDroppedBytes the bytes ({@link Rpc#wireSize()}) of the pieces counted in {@code
 *     heldDropped}
 * @param validationsDroppedBytes the bytes of the messages counted in {@code validationsDropped}
 * @param inboundDroppedBytes the bytes of the RPCs counted in {@code inboundDropped}
 * @param queuedBytes bytes queued now to peers' writers and not yet written (all peers; each is
 *     bounded by {@link GossipConfig#peerQueueBytes()})
 * @param heldBytes bytes held now for peers whose stream from us is opening (each bounded by {@link
 *     GossipConfig#maxHeldBytes()})
 * @param pendingValidationBytes bytes of the messages in validation now (bounded by {@link
 *     GossipConfig#maxPendingValidationBytes()})
 * @param mailboxBytes bytes of peers' RPCs waiting now in the router's mailbox (bounded by {@link
 *     GossipConfig#mailboxBytes()})
 */
public record GossipStats(
    long heldDropped,
    long queueDropped,
    long queueDroppedBytes,
    long slowPeers,
    long validationsDropped,
    long inboundDropped,
    long idontwantSent,
    long idontwantReceived,
    long idontwantSuppressed,
    long heldDroppedBytes,
    long validationsDroppedBytes,
    long inboundDroppedBytes,
    long queuedBytes,
    long heldBytes,
    long pendingValidationBytes,
    long mailboxBytes) {}
