package dev.cairn.p2p.gossip;

/**
 * Counters of what the gossip router dropped at its bounds and of its IDONTWANT traffic, since it
 * started. A snapshot: {@link GossipRouter#stats()} makes a new one each call.
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
    long idontwantSuppressed) {}
