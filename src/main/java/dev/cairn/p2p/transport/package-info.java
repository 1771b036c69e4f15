/**
 * Transports: TCP listen and dial over blocking sockets on virtual threads ({@link
 * dev.cairn.p2p.transport.TcpTransport}), and the {@link dev.cairn.p2p.transport.Duplex} byte-pipe
 * contract that every layer of the connection upgrade (multistream-select, Noise, yamux) speaks.
 */
package dev.cairn.p2p.transport;
