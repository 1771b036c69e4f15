/**
 * libp2p perf (<a href="https://github.com/libp2p/specs/blob/master/perf/perf.md">spec</a>):
 * throughput between any two libp2p implementations. Deviation: a request above 64 GiB is refused.
 */
package dev.cairn.p2p.perf;
