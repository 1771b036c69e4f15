/**
 * ping (<a href="https://github.com/libp2p/specs/blob/master/ping/ping.md">spec</a>). Deviation: we
 * do not cap concurrent inbound ping streams per peer below the muxer's stream limit.
 */
package dev.cairn.p2p.ping;
