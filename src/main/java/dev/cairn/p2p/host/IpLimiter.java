package dev.cairn.p2p.host;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Inbound connections and handshakes in progress per remote IP address, and inbound connections per
 * subnet (IPv4 /24, IPv6 /64). Called from the accept loop and from connection threads; each entry
 * changes atomically inside {@link ConcurrentHashMap#compute}. A connection takes its subnet slot
 * first and gives it back if its IP is at a cap, so the counts may briefly read one high (a refusal
 * too many, never a connection too many). Entries exist only while an IP or subnet has an inbound
 * connection, so both maps are bounded by {@link ConnectionLimits#maxInbound()}.
 */
final class IpLimiter {
  private record Counts(int connections, int handshakes) {}

  private final int maxConnections;
  private final int maxHandshakes;
  private final int maxPerSubnet;
  private final ConcurrentHashMap<InetAddress, Counts> counts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, Integer> subnets = new ConcurrentHashMap<>();

  IpLimiter(ConnectionLimits limits) {
    this.maxConnections = limits.maxInboundPerIp();
    this.maxHandshakes = limits.maxHandshakesPerIp();
    this.maxPerSubnet = limits.maxInboundPerSubnet();
  }

  /**
   * Takes a connection and a handshake slot for {@code ip} and a connection slot for its subnet;
   * false (nothing taken) at a cap.
   */
  boolean tryOpen(InetAddress ip) {
    InetAddress subnet = subnetOf(ip);
    AtomicBoolean inSubnet = new AtomicBoolean();
    subnets.compute(
        subnet,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= maxPerSubnet) {
            return n;
          }
          inSubnet.set(true);
          return now + 1;
        });
    if (!inSubnet.get()) {
      return false;
    }
    AtomicBoolean taken = new AtomicBoolean();
    counts.compute(
        ip,
        (k, c) -> {
          Counts now = c == null ? new Counts(0, 0) : c;
          if (now.connections() >= maxConnections || now.handshakes() >= maxHandshakes) {
            return c;
          }
          taken.set(true);
          return new Counts(now.connections() + 1, now.handshakes() + 1);
        });
    if (!taken.get()) {
      leaveSubnet(subnet);
    }
    return taken.get();
  }

  /** The handshake from {@code ip} ended (either way). */
  void handshakeDone(InetAddress ip) {
    counts.computeIfPresent(ip, (k, c) -> drop(new Counts(c.connections(), c.handshakes() - 1)));
  }

  /** The connection from {@code ip} closed (or its handshake failed). */
  void closed(InetAddress ip) {
    counts.computeIfPresent(ip, (k, c) -> drop(new Counts(c.connections() - 1, c.handshakes())));
    leaveSubnet(subnetOf(ip));
  }

  private void leaveSubnet(InetAddress subnet) {
    subnets.computeIfPresent(subnet, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static Counts drop(Counts c) {
    return c.connections() <= 0 && c.handshakes() <= 0 ? null : c;
  }

  /** The /24 of an IPv4 address, the /64 of an IPv6 one (the address with the host bits zeroed). */
  static InetAddress subnetOf(InetAddress ip) {
    byte[] a = ip.getAddress();
    int keep = a.length == 4 ? 3 : 8;
    Arrays.fill(a, keep, a.length, (byte) 0);
    try {
      return InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes", e);
    }
  }

  /** IPs with an entry (tests). */
  int trackedIps() {
    return counts.size();
  }

  /** Subnets with an entry (tests). */
  int trackedSubnets() {
    return subnets.size();
  }
}
