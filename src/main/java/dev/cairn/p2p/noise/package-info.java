/**
 * libp2p's Noise secure channel, protocol id {@code /noise}: the {@code
 * Noise_XX_25519_ChaChaPoly_SHA256} handshake carrying a signed libp2p identity, then an encrypted
 * {@link dev.cairn.p2p.transport.Duplex}.
 *
 * <p>Specs: <a href="https://github.com/libp2p/specs/blob/master/noise/README.md">noise-libp2p</a>,
 * <a
 * href="https://github.com/libp2p/specs/blob/master/connections/inlined-muxer-negotiation.md">inlined
 * muxer negotiation</a>, and the <a href="https://noiseprotocol.org/noise.html">Noise Protocol
 * Framework</a> rev 34.
 *
 * <p>Layout: {@link dev.cairn.p2p.noise.NoiseHandshake} (public entry points, I/O and timeout),
 * {@code XxHandshakeState}/{@code SymmetricState}/{@code CipherState} (the framework's objects,
 * pure and I/O-free), {@code NoiseCodec} (payload protobuf and 2-byte framing), {@link
 * dev.cairn.p2p.noise.NoiseSession} (the transport).
 *
 * <p>Deviations and choices:
 *
 * <ul>
 *   <li>A fresh X25519 static key per handshake (the spec allows it and says not to persist it).
 *   <li>A payload in message 1 is tolerated and ignored (libp2p sends none; it is unauthenticated).
 *   <li>A remote X25519 key of low order (all-zero DH output) is refused as {@code MALFORMED}; the
 *       framework leaves this to the implementation.
 *   <li>No early data: {@code webtransport_certhashes} is neither sent nor read; the legacy field 3
 *       and unknown fields are ignored.
 *   <li>Inlined muxer negotiation: the configured muxer list is sent when non-empty; with both
 *       lists present the initiator's first muxer that the responder lists wins (the spec rule; js
 *       instead iterates the remote's list), no overlap fails both sides with {@code
 *       UNSUPPORTED_PROTOCOL}. The initiator still sends message 3 before failing so that the
 *       responder learns why.
 *   <li>At most 32 offered muxers, each at most 1024 characters.
 *   <li>Transport messages carry at most 65519 plaintext bytes (as go); any size up to 65535 is
 *       read. Nonce exhaustion (2<sup>64</sup>−1 messages) is treated as unreachable.
 * </ul>
 */
package dev.cairn.p2p.noise;
