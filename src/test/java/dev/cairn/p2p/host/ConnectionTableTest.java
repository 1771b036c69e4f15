package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection table's state, stepped on the test thread with a clock the test sets. */
@Timeout(30)
class ConnectionTableTest {
  private static final Duration BAN = Duration.ofMinutes(30);
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  private Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  private final ConnectionTable table =
      new ConnectionTable(
          1,
          BAN,
          new Clock() {
            @Override
            public java.time.ZoneId getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return clock.instant();
            }
          });
  private final PeerId peer = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());

  private void at(Duration sinceStart) {
    clock = Clock.fixed(T0.plus(sinceStart), ZoneOffset.UTC);
  }

  @Test
  void standingRecoversTenPointsAMinuteAndAPenaltyCounts() {
    table.handle(new ConnectionTable.Penalize(peer, 50, "test"));
    assertThat(table.standing(peer)).isEqualTo(new PeerStanding(-50, 1));
    at(Duration.ofMinutes(2));
    assertThat(table.standing(peer)).isEqualTo(new PeerStanding(-30, 1));
    table.handle(new ConnectionTable.Penalize(peer, 20, "again"));
    assertThat(table.standing(peer)).isEqualTo(new PeerStanding(-50, 2));
    at(Duration.ofMinutes(10));
    assertThat(table.standing(peer).points()).isZero();
    assertThat(table.isBanned(peer)).isFalse();
  }

  @Test
  void standingAtTheThresholdBansForTheConfiguredDurationAndTellsListeners() {
    List<PeerId> banned = new ArrayList<>();
    table.handle(
        new ConnectionTable.AddListener(
            new ConnectionListener() {
              @Override
              public void banned(PeerId p, Duration d) {
                banned.add(p);
              }
            }));
    table.handle(new ConnectionTable.Penalize(peer, 60, "first"));
    assertThat(table.isBanned(peer)).isFalse();
    table.handle(new ConnectionTable.Penalize(peer, 40, "second"));
    assertThat(table.isBanned(peer)).isTrue();
    assertThat(table.bannedCount()).isEqualTo(1);
    assertThat(banned).containsExactly(peer);
    assertThat(table.standing(peer)).isEqualTo(new PeerStanding(0, 0)); // forgotten once banned

    at(BAN.minusSeconds(1));
    assertThat(table.isBanned(peer)).isTrue();
    at(BAN);
    assertThat(table.isBanned(peer)).isFalse();
    assertThat(table.bannedCount()).isZero();
  }

  @Test
  void addressesMergeNewestFirstWithoutThePeerId() {
    Multiaddr a = Multiaddr.parse("/ip4/10.0.0.1/tcp/4001");
    Multiaddr b = Multiaddr.parse("/ip4/10.0.0.2/tcp/4001");
    table.handle(new ConnectionTable.AddAddresses(peer, List.of(a)));
    at(Duration.ofSeconds(1));
    table.handle(
        new ConnectionTable.AddAddresses(
            peer, List.of(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001/p2p/" + peer), a)));
    PeerInfo info = table.get(peer).orElseThrow();
    assertThat(info.addresses()).containsExactly(b, a);
    assertThat(info.updatedAt()).isEqualTo(T0.plusSeconds(1));
  }
}
