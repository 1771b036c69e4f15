/**
 * Gossipsub v1.2 pubsub: {@link dev.cairn.p2p.gossip.GossipRouter} (the owner), its logic in {@code
 * GossipState}, peer scoring in {@code PeerScore}, and the application validation hook {@link
 * dev.cairn.p2p.gossip.Validator}.
 *
 * <p>Specs: <a href="https://github.com/libp2p/specs/blob/master/pubsub/README.md">pubsub</a>, <a
 * href="https://github.com/libp2p/specs/blob/master/pubsub/gossipsub/gossipsub-v1.0.md">gossipsub
 * v1.0</a>, <a
 * href="https://github.com/libp2p/specs/blob/master/pubsub/gossipsub/gossipsub-v1.1.md">v1.1</a>,
 * <a
 * href="https://github.com/libp2p/specs/blob/master/pubsub/gossipsub/gossipsub-v1.2.md">v1.2</a>.
 *
 * <p>Deviations and gaps, on purpose or not yet done:
 *
 * <ul>
 *   <li>Peer exchange: PX we send ({@code doPx}, off by default as in go and js) carries peer ids
 *       only, never signed peer records: we hold no records of other peers (identify checks them
 *       but the peer store keeps addresses, not envelopes), and the spec lets us omit them. PX we
 *       receive is followed from peers at or above {@code acceptPx} (records verified, TCP
 *       addresses only); without a record we dial only peers whose addresses we already know.
 *   <li>Explicit (direct) peers are not supported yet: no always-connected, never-meshed set of
 *       peers, and a GRAFT from such a peer is treated like any other.
 *   <li>A GRAFT for a topic we are not in is answered with PRUNE (v1.0 spec; go and js ignore it),
 *       without PX and without keeping backoff state, at most {@code MAX_UNKNOWN_TOPIC_GRAFTS}
 *       answers per peer per heartbeat.
 *   <li>Validation timeout: a validator that has not answered after {@code validationTimeout} (10
 *       s) counts as IGNORE, checked at heartbeat granularity; go and js have no such timeout by
 *       default.
 *   <li>Our own published messages are not run through our validator and not delivered to our own
 *       handler (js's {@code emitSelf} false).
 *   <li>A peer that leaves with a positive score is forgotten at once; only non-positive scores are
 *       retained for {@code retainScore}.
 *   <li>Loopback addresses are exempt from the IP colocation factor (P6) by default.
 *   <li>v1.2 IDONTWANT: sent to v1.2 mesh peers for messages of at least {@code idontwantThreshold}
 *       data bytes when they first arrive, before validation; not sent when we publish, nor to
 *       cancel an IWANT. Received ones are kept per peer within {@code idontwantMaxIds} ids (and 64
 *       bytes per id on average) for {@code idontwantTtl}, at most {@code idontwantMaxIds} ids
 *       looked at per peer per heartbeat (the spec leaves {@code max_idontwant_messages} open; js
 *       caps 512 ids).
 *   <li>What we send a peer whose stream from us is still opening is held (bounded by {@code
 *       maxHeldBytes}) and sent when it opens; a PRUNE held that way carries no backoff or PX,
 *       since the peer's protocol is not known yet.
 * </ul>
 */
package dev.cairn.p2p.gossip;
