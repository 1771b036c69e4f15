package dev.cairn.p2p.host;

import dev.cairn.p2p.multiformats.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which inbound connection makes room when inbound is full, instead of refusing every newcomer (a
 * full node would otherwise stop accepting anyone, and the first to fill it could keep it). The
 * policy, in order:
 *
 * <ol>
 *   <li>Outbound connections are never evicted, nor inbound ones of a peer we also dialled: we
 *       chose those peers, an attacker cannot.
 *   <li>Long-lived inbound connections (open at least {@link
 *       ConnectionLimits#evictionProtectedAge()}, by default {@link #PROTECTED_AGE}) are protected:
 *       a peer that has stayed that long costs an attacker time to displace.
 *   <li>Of the rest, the one whose peer has the lowest standing goes (penalised peers first:
 *       standing falls with every protocol violation, so useful peers rank above them), and among
 *       equal standings the newest: an attacker who keeps reconnecting evicts its own latest
 *       connections, not the peers that were there before it.
 * </ol>
 *
 * If every inbound connection is protected, the newcomer is refused. A pure function of the
 * connection snapshot, standings and time: the accept loop calls it, tests call it directly.
 */
final class InboundEviction {
  /** Inbound connections open at least this long are not evicted. */
  static final Duration PROTECTED_AGE = Duration.ofMinutes(10);

  private InboundEviction() {}

  /** The connection to close to make room for a new inbound one, or empty to refuse the new one. */
  static Optional<Connection> choose(
      List<Connection> connections,
      Function<PeerId, PeerStanding> standing,
      Instant now,
      Duration protectedAge) {
    Set<PeerId> dialled = new HashSet<>();
    for (Connection c : connections) {
      if (c.direction() == Connection.Direction.OUTBOUND) {
        dialled.add(c.remotePeer());
      }
    }
    return connections.stream()
        .filter(Connection::isOpen)
        .filter(c -> c.direction() == Connection.Direction.INBOUND)
        .filter(c -> !dialled.contains(c.remotePeer()))
        .filter(c -> Duration.between(c.openedAt(), now).compareTo(protectedAge) < 0)
        .min(
            Comparator.comparingInt((Connection c) -> standing.apply(c.remotePeer()).points())
                .thenComparing(Connection::openedAt, Comparator.reverseOrder()));
  }
}
