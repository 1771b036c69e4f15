package dev.cairn.p2p.host;

import dev.cairn.owner.RecordCopy;

/**
 * Caps on connections. Inbound and outbound connections have separate caps, so peers that connect
 * to us can never take the slots we dial with: at least {@value #MIN_OUTBOUND} outbound slots are
 * always ours, and discovery counts only outbound connections toward its target. Past a cap a new
 * connection is closed right after the handshake (per-peer) or at accept (inbound, per IP), and an
 * outbound dial fails with an {@link java.io.IOException}.
 *
 * <p>A peer id is free to make, an IP address is not: the per-IP caps (and bans by IP, {@link
 * Host#ban}) are what keep one machine from filling the inbound slots or coming back under new ids.
 * As in go-libp2p, loopback addresses are exempt unless {@code limitLoopback} (local tests and
 * tools run many peers on 127.0.0.1).
 *
 * @param maxInbound connections the remote opened, including those still in the handshake
 * @param maxOutbound connections we opened
 * @param maxPerPeer connections to one peer in both directions
 * @param maxStreamsPerConnection concurrent inbound streams per connection (the muxer resets more)
 * @param maxInboundPerIp inbound connections from one IP address, handshakes included
 * @param maxHandshakesPerIp inbound handshakes in progress from one IP address
 * @param maxInboundPerSubnet inbound connections from one subnet, handshakes included: an IPv4 /24
 *     or an IPv6 /64 (what one hosting customer is typically given: new addresses in it are as
 *     cheap as new peer ids)
 * @param limitLoopback whether the per-IP caps and IP bans apply to loopback addresses
 * @param evictionProtectedAge when inbound is full, a newcomer evicts an inbound connection younger
 *     than this ({@link InboundEviction}: never an outbound one; the lowest standing, then the
 *     newest); zero protects every connection, so newcomers are refused
 */
public record ConnectionLimits(
    int maxInbound,
    int maxOutbound,
    int maxPerPeer,
    int maxStreamsPerConnection,
    int maxInboundPerIp,
    int maxHandshakesPerIp,
    int maxInboundPerSubnet,
    boolean limitLoopback,
    java.time.Duration evictionProtectedAge) {

  /** Outbound slots a host always has, whatever inbound peers do. */
  public static final int MIN_OUTBOUND = 8;

  /** Default per-IP caps: go-libp2p's 8 connections per IPv4 address; 4 handshakes at once. */
  public static final int DEFAULT_INBOUND_PER_IP = 8;

  public static final int DEFAULT_HANDSHAKES_PER_IP = 4;

  /** Default per-subnet cap: four addresses' worth of the per-IP cap. */
  public static final int DEFAULT_INBOUND_PER_SUBNET = 32;

  public ConnectionLimits {
    if (maxInbound < 0
        || maxOutbound < 0
        || maxPerPeer < 1
        || maxStreamsPerConnection < 1
        || maxInboundPerIp < 1
        || maxHandshakesPerIp < 1
        || maxInboundPerSubnet < 1) {
      throw new IllegalArgumentException("bad connection limits");
    }
    if (maxOutbound < MIN_OUTBOUND) {
      throw new IllegalArgumentException(
          "maxOutbound must be at least " + MIN_OUTBOUND + " (outbound slots are reserved)");
    }
    if (evictionProtectedAge == null || evictionProtectedAge.isNegative()) {
      throw new IllegalArgumentException("bad evictionProtectedAge " + evictionProtectedAge);
    }
  }

  /** The given caps with the default per-IP caps (loopback exempt). */
  public ConnectionLimits(
      int maxInbound, int maxOutbound, int maxPerPeer, int maxStreamsPerConnection) {
    this(
        maxInbound,
        maxOutbound,
        maxPerPeer,
        maxStreamsPerConnection,
        DEFAULT_INBOUND_PER_IP,
        DEFAULT_HANDSHAKES_PER_IP,
        DEFAULT_INBOUND_PER_SUBNET,
        false,
        InboundEviction.PROTECTED_AGE);
  }

  public static ConnectionLimits defaults() {
    return new ConnectionLimits(2048, 512, 2, 1000);
  }

  /** These caps with other per-IP caps, applied to loopback too when {@code limitLoopback}. */
  public ConnectionLimits withPerIp(int inbound, int handshakes, boolean limitLoopback) {
    return RecordCopy.of(this)
        .set("maxInboundPerIp", inbound)
        .set("maxHandshakesPerIp", handshakes)
        .set("limitLoopback", limitLoopback)
        .build();
  }

  /** These caps with another age from which inbound connections are safe from eviction. */
  public ConnectionLimits withEvictionProtectedAge(java.time.Duration age) {
    return RecordCopy.of(this).set("evictionProtectedAge", age).build();
  }

  /** These caps with another per-subnet cap (IPv4 /24, IPv6 /64). */
  public ConnectionLimits withPerSubnet(int inbound) {
    return RecordCopy.of(this).set("maxInboundPerSubnet", inbound).build();
  }
}
