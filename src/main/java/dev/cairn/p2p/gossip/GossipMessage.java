package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.Optional;

/**
 * A message as the application sees it (validators and subscription handlers). Immutable by
 * convention: the {@code data} array is shared, so do not modify it.
 *
 * @param topic the topic it was published on
 * @param data the payload
 * @param id its message id
 * @param author the signer under StrictSign; empty under StrictNoSign
 * @param seqno the author's sequence number under StrictSign; 0 under StrictNoSign
 * @param receivedFrom the peer that forwarded it to us (ourselves for our own messages)
 */
public record GossipMessage(
    String topic,
    byte[] data,
    MessageId id,
    Optional<PeerId> author,
    long seqno,
    PeerId receivedFrom) {}
