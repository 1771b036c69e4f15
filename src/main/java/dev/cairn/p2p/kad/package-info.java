/**
 * Kademlia DHT for peer discovery, after the libp2p kad-dht spec
 * (https://github.com/libp2p/specs/blob/master/kad-dht/README.md): the {@code /ipfs/kad/1.0.0} wire
 * format with a configurable protocol id ({@code /cairn/<network>/kad/1.0.0} for Cairn),
 * SHA-256/XOR keyspace, k-buckets with replacement caches, iterative FIND_NODE lookups, and a
 * discovery loop (bootnodes, self-lookup, random walks, bucket refresh, a connection target).
 *
 * <p>Deviations and choices:
 *
 * <ul>
 *   <li>α = 3 by default (spec and go/js: 10); see {@link dev.cairn.p2p.kad.KadConfig#alpha()}.
 *   <li>Lookups end when the k closest non-failed peers have all answered (the spec's rule), not
 *       go's β = 3 shortcut.
 *   <li>No value or provider storage: GET_VALUE and GET_PROVIDERS are answered as by a node that
 *       stores nothing (closer peers only), PUT_VALUE is refused with a stream reset, ADD_PROVIDER
 *       (no reply by spec) is ignored. We never send them.
 *   <li>Bucket refresh looks up random keys only for buckets with a common prefix up to about 15
 *       bits (preimage search cost); deeper buckets are covered by the self-lookup.
 *   <li>Connections opened by lookups are not pruned here; the host's connection limits apply.
 *       Discovery only stops <em>dialling</em> at the target.
 *   <li>A peer that changes protocols by identify push is re-checked only on its next connection.
 * </ul>
 */
package dev.cairn.p2p.kad;
