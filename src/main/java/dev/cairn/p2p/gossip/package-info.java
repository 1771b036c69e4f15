/**
 * Gossipsub v1.1 pubsub: {@link dev.cairn.p2p.gossip.GossipRouter} (the owner), its logic in {@code
 * GossipState}, peer scoring in {@code PeerScore}, and the application validation hook {@link
 * dev.cairn.p2p.gossip.Validator}.
 *
 * <p>Specs: <a href="https://github.com/libp2p/specs/blob/master/pubsub/README.md">pubsub</a>, <a
 * href="https://github.com/libp2p/specs/blob/master/pubsub/gossipsub/gossipsub-v1.0.md">gossipsub
 * v1.0</a>, <a
 * href="https://github.com/libp2p/specs/blob/master/pubsub/gossipsub/gossipsub-v1.1.md">v1.1</a>.
 *
 * <p>Deviations and gaps, on purpose or not yet done:
 *
 * <ul>
 *   <li>Peer exchange: we can send PX peer ids ({@code doPx}, off by default as in go and js) but
 *       do not follow PX we receive.
 *   <li>Explicit (direct) peers are not supported.
 *   <li>GRAFTs for topics we are not in are ignored rather than answered with PRUNE (v1.1 spam
 *       advice).
 *   <li>Our own published messages are not run through our validator and not delivered to our own
 *       handler (js's {@code emitSelf} false).
 *   <li>A peer that leaves with a positive score is forgotten at once; only non-positive scores are
 *       retained for {@code retainScore}.
 *   <li>Loopback addresses are exempt from the IP colocation factor (P6) by default.
 *   <li>v1.2 IDONTWANT is neither sent nor understood (we speak 1.1 and 1.0).
 * </ul>
 */
package dev.cairn.p2p.gossip;
