package dev.cairn.p2p.host;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Inbound connections and handshakes in progress per remote IP address. Called from the accept loop
 * and from connection threads; each entry changes atomically inside {@link
 * ConcurrentHashMap#compute}. Entries exist only while an IP has an inbound connection, so the map
 * is bounded by {@link ConnectionLimits#maxInbound()}.
 */
final class IpLimiter {
  private record Counts(int connections, int handshakes) {}

  private final int maxConnections;
  private final int maxHandshakes;
  private final ConcurrentHashMap<InetAddress, Counts> counts = new ConcurrentHashMap<>();

  IpLimiter(ConnectionLimits limits) {
    this.maxConnections = limits.maxInboundPerIp();
    this.maxHandshakes = limits.maxHandshakesPerIp();
  }

  /** Takes a connection and a handshake slot for {@code ip}; false (nothing taken) at a cap. */
  boolean tryOpen(InetAddress ip) {
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
    return taken.get();
  }

  /** The handshake from {@code ip} ended (either way). */
  void handshakeDone(InetAddress ip) {
    counts.computeIfPresent(ip, (k, c) -> drop(new Counts(c.connections(), c.handshakes() - 1)));
  }

  /** The connection from {@code ip} closed (or its handshake failed). */
  void closed(InetAddress ip) {
    counts.computeIfPresent(ip, (k, c) -> drop(new Counts(c.connections() - 1, c.handshakes())));
  }

  private static Counts drop(Counts c) {
    return c.connections() <= 0 && c.handshakes() <= 0 ? null : c;
  }

  /** IPs with an entry (tests). */
  int trackedIps() {
    return counts.size();
  }
}
