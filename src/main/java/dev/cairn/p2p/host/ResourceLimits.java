package dev.cairn.p2p.host;

import dev.cairn.owner.Copyable;

/**
 * Budgets of the {@link ResourceManager}: bytes held on peers' behalf and streams open, per scope.
 * Every byte a peer can make us hold is reserved from the stream's, its connection's, its peer's
 * and the system's budget (and its protocol's, once the stream's protocol is known); a reservation
 * that would pass any of them is refused, and what asked for it (a new stream, a window growth, a
 * response buffer) is refused or reset instead of buffering past the budget.
 *
 * <p>The defaults ({@link #defaults()}) let a node with 50 peers run in a 256 MiB heap: the system
 * budget is 96 MiB, each peer's 16 MiB (64 streams at the initial 256 KiB window, or fewer with
 * grown windows, which take at most three quarters of it), so the budgets of six peers that use all
 * of theirs fill the system's, and honest peers, which hold a few streams each, use a small part of
 * it (docs/BENCHMARKS.md).
 *
 * @param systemBytes all reservations together
 * @param peerBytes all reservations for one peer (over all its connections)
 * @param connectionBytes all reservations of one connection
 * @param streamBytes one stream (its receive window, grown by auto-tuning)
 * @param protocolBytes all streams and buffers of one protocol, system-wide
 * @param systemStreams streams open at once, both directions, all peers
 * @param peerStreams streams open at once with one peer, both directions
 * @param protocolStreams streams of one protocol open at once, all peers
 * @param protocolPeerStreams streams of one protocol open at once with one peer
 */
public record ResourceLimits(
    long systemBytes,
    long peerBytes,
    long connectionBytes,
    long streamBytes,
    long protocolBytes,
    int systemStreams,
    int peerStreams,
    int protocolStreams,
    int protocolPeerStreams)
    implements Copyable<ResourceLimits> {

  private static final long MIB = 1024 * 1024;

  /** Default system budget: 96 MiB. */
  public static final long DEFAULT_SYSTEM_BYTES = 96 * MIB;

  /** Default per-peer budget: 16 MiB. */
  public static final long DEFAULT_PEER_BYTES = 16 * MIB;

  public ResourceLimits {
    if (systemBytes < 0
        || peerBytes < 0
        || connectionBytes < 0
        || streamBytes < 0
        || protocolBytes < 0
        || systemStreams < 0
        || peerStreams < 0
        || protocolStreams < 0
        || protocolPeerStreams < 0) {
      throw new IllegalArgumentException("resource limits must not be negative");
    }
  }

  /**
   * 96 MiB in all, 16 MiB per peer and per connection, 16 MiB per stream (yamux's largest window),
   * 64 MiB per protocol; 4,096 streams in all, 256 per peer, 2,048 per protocol, 64 per protocol
   * and peer.
   */
  public static ResourceLimits defaults() {
    return new ResourceLimits(
        DEFAULT_SYSTEM_BYTES,
        DEFAULT_PEER_BYTES,
        DEFAULT_PEER_BYTES,
        16 * MIB,
        64 * MIB,
        4096,
        256,
        2048,
        64);
  }

  /** No limits at all (tests and tools that measure the stack without budgets). */
  public static ResourceLimits unlimited() {
    return new ResourceLimits(
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        Integer.MAX_VALUE,
        Integer.MAX_VALUE,
        Integer.MAX_VALUE,
        Integer.MAX_VALUE);
  }

  /**
   * These limits with another system and per-peer byte budget ({@code cairn node --mem-limit},
   * {@code --peer-mem-limit}); the per-connection budget follows the per-peer one, and the
   * per-protocol one stays at most the system's.
   */
  public ResourceLimits withMemory(long system, long perPeer) {
    return copy()
        .set("systemBytes", system)
        .set("peerBytes", perPeer)
        .set("connectionBytes", perPeer)
        .set("protocolBytes", Math.min(protocolBytes, system))
        .build();
  }

  /** These limits with other stream counts. */
  public ResourceLimits withStreams(int system, int perPeer, int perProtocol, int perProtocolPeer) {
    return copy()
        .set("systemStreams", system)
        .set("peerStreams", perPeer)
        .set("protocolStreams", perProtocol)
        .set("protocolPeerStreams", perProtocolPeer)
        .build();
  }
}
