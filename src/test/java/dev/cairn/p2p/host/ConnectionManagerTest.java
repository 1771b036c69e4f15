package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bans and standings over time, on a clock the test moves. */
@Timeout(30)
class ConnectionManagerTest {
  private static final Duration BAN = Duration.ofMinutes(30);

  private final FakeClock clock = new FakeClock(Instant.parse("2024-01-01T00:00:00Z"));
  private final ConnectionManager manager = new ConnectionManager(1, BAN, clock, "test");
  private final PeerId peer = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void aBanEndsAfterItsDuration() {
    manager.ban(peer, Duration.ofMinutes(5), "test");
    Await.until(() -> manager.isBanned(peer), "the ban to apply");
    assertThat(manager.bannedCount()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    assertThat(manager.isBanned(peer)).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(manager.isBanned(peer)).isFalse();
    assertThat(manager.bannedCount()).isZero();
  }

  @Test
  void aBanForLowStandingLastsTheConfiguredDuration() {
    manager.penalize(peer, -ConnectionManager.BAN_THRESHOLD, "test");
    Await.until(() -> manager.isBanned(peer), "the ban for low standing");

    clock.advance(BAN.minusSeconds(1));
    assertThat(manager.isBanned(peer)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(manager.isBanned(peer)).isFalse();
  }

  @Test
  void standingRecoversTenPointsAMinuteUpToZero() {
    manager.penalize(peer, 50, "test");
    Await.until(() -> manager.standing(peer).points() == -50, "the penalty to apply");

    clock.advance(Duration.ofSeconds(59));
    assertThat(manager.standing(peer).points()).isEqualTo(-50);
    clock.advance(Duration.ofSeconds(1));
    assertThat(manager.standing(peer).points()).isEqualTo(-40);
    clock.advance(Duration.ofMinutes(3));
    assertThat(manager.standing(peer).points()).isEqualTo(-10);
    clock.advance(Duration.ofMinutes(10));
    assertThat(manager.standing(peer)).isEqualTo(new PeerStanding(0, 1));
  }

  @Test
  void aRecoveredPeerNeedsAFullNewRunOfPenaltiesToBeBanned() {
    // 90 points, then 9 minutes of recovery (back to 0): another 90 does not reach the threshold.
    manager.penalize(peer, 90, "first");
    Await.until(() -> manager.standing(peer).points() == -90, "the first penalty");
    clock.advance(Duration.ofMinutes(9));
    manager.penalize(peer, 90, "second");
    // A ban forgets the standing, so either outcome ends the wait.
    Await.until(
        () -> manager.standing(peer).penalties() == 2 || manager.isBanned(peer),
        "the second penalty");

    assertThat(manager.standing(peer).points()).isEqualTo(-90);
    assertThat(manager.isBanned(peer)).isFalse();

    // Without the recovery the same two penalties ban.
    manager.penalize(peer, 10, "third");
    Await.until(() -> manager.isBanned(peer), "the ban at the threshold");
  }
}
