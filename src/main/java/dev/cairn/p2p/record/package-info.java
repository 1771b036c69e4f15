/**
 * Signed records: the signed envelope of <a
 * href="https://github.com/libp2p/specs/blob/master/RFC/0002-signed-envelopes.md">libp2p RFC
 * 0002</a> and the peer record of <a
 * href="https://github.com/libp2p/specs/blob/master/RFC/0003-routing-records.md">RFC 0003</a>.
 *
 * <p>A package of its own rather than part of {@code crypto}: records are protocol data built on
 * keys and peer ids (identify, gossipsub peer exchange, the DHT use them), while {@code crypto}
 * stays keys only and {@code multiformats} can depend on it.
 *
 * <p>The protobuf is hand-written ({@code Proto}): two small messages, every length bounded before
 * copying, no generated classes to keep out of the API.
 *
 * <p>Deviations and choices:
 *
 * <ul>
 *   <li>Domain {@code libp2p-peer-record} and payload type bytes {@code 03 01}, as go-libp2p and
 *       js-libp2p use, not RFC 0003's older {@code libp2p-routing-state} and string type.
 *   <li>Envelopes above 16 KiB, payloads above 8 KiB, more than 256 addresses or addresses above 1
 *       KiB are rejected, not truncated.
 *   <li>Unknown fields are skipped (protobuf semantics), so newer peers can add fields.
 *   <li>Keeping only the newest {@code seq} per peer is the peer store's job, not this package's.
 * </ul>
 */
package dev.cairn.p2p.record;
