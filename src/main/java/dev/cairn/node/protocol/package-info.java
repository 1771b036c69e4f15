/**
 * Cairn's protocol ids: every {@code /cairn/<network>/...} string (sync requests, gossip topics,
 * the DHT's protocol) is built, and read back, by {@link dev.cairn.node.protocol.CairnProtocols}
 * alone; the p2p layer receives them as plain strings. A leaf package, so that {@code node.sync},
 * {@code node.gossip} and {@code Node} can all import it without a package cycle.
 */
package dev.cairn.node.protocol;
