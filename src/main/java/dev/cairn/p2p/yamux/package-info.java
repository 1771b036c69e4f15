/**
 * The yamux stream multiplexer, {@code /yamux/1.0.0}: many ordered, flow-controlled streams over
 * one secured connection.
 *
 * <p>Spec: <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md">libp2p/specs
 * yamux/README.md</a> (a copy of hashicorp's spec plus the ACK-backlog notes).
 *
 * <p>Files: {@link dev.cairn.p2p.yamux.YamuxFrame} (wire header), {@link
 * dev.cairn.p2p.yamux.YamuxCodec} (bytes), {@link dev.cairn.p2p.yamux.YamuxSession} and {@link
 * dev.cairn.p2p.yamux.YamuxStream} (behaviour; a stream's receive window, its auto-tuning and
 * reserved memory in {@code YamuxReceiveWindow}), {@link dev.cairn.p2p.yamux.YamuxConfig} (limits).
 *
 * <p>Choices and deviations:
 *
 * <ul>
 *   <li>ACK: an inbound stream is acknowledged (WindowUpdate+ACK) when its handler thread starts,
 *       as go-yamux does on accept, instead of waiting for the first Data frame as the spec
 *       suggests: read-only streams (pubsub) would otherwise hold the opener's ack backlog.
 *   <li>Streams over {@link dev.cairn.p2p.yamux.YamuxConfig#maxInboundStreams()} and streams opened
 *       after our GoAway are refused with WindowUpdate+RST; the session lives on.
 *   <li>Receive windows start at 256 KiB and auto-tune (double when a window was consumed within 4
 *       RTTs, as go and js do) up to {@link dev.cairn.p2p.yamux.YamuxConfig#maxReceiveWindow()};
 *       the RTT comes from an initial ping and the keep-alive pings.
 *   <li>Data frames carry at most 64 KiB by default (as go and js), so that a 64 KiB write is one
 *       frame; we accept any size up to the window. A Data frame larger than the remaining receive
 *       window ends the connection (FLOW_CONTROL), checked before anything is read.
 *   <li>A ping ACK with an unknown opaque value (late or unsolicited) is ignored, not an error.
 *   <li>Frames for streams we no longer know are dropped quietly (their payload skipped, bounded by
 *       the max window). Data after the remote's FIN, or after we closed our reading side, resets
 *       that stream.
 *   <li>Stream ids need not increase; a SYN with our parity, on id 0, or for a live stream ends the
 *       connection (GoAway protocol error).
 *   <li>{@link dev.cairn.p2p.yamux.YamuxSession#close()} sends GoAway(normal) as js does (go sends
 *       nothing on a normal close); protocol violations send GoAway(protocol error).
 * </ul>
 */
package dev.cairn.p2p.yamux;
