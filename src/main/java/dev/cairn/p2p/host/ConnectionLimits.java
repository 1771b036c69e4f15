package dev.cairn.p2p.host;

/**
 * Caps on connections. Past a cap a new connection is closed right after the handshake (per-peer)
 * or at accept (inbound), and an outbound dial fails with an {@link java.io.IOException}.
 *
 * @param maxInbound connections the remote opened, including those still in the handshake
 * @param maxOutbound connections we opened
 * @param maxPerPeer connections to one peer in both directions
 * @param maxStreamsPerConnection concurrent inbound streams per connection (the muxer resets more)
 */
public record ConnectionLimits(
    int maxInbound, int maxOutbound, int maxPerPeer, int maxStreamsPerConnection) {

  public ConnectionLimits {
    if (maxInbound < 0 || maxOutbound < 0 || maxPerPeer < 1 || maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException("bad connection limits");
    }
  }

  public static ConnectionLimits defaults() {
    return new ConnectionLimits(2048, 512, 2, 1000);
  }
}
