package dev.cairn.p2p.kad;

import static dev.cairn.p2p.kad.KadTestSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.kad.KadTable.Observe;
import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.FakeClock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KadTableTest {
  private final PeerId self = peer(0);

  private List<PeerId> bucketZero(int n) {
    return KadTestSupport.bucketZero(self, n);
  }

  /**
   * A liveness check that dies without an answer (here it throws) does not freeze the bucket: once
   * it is a liveness interval old, the next newcomer gets a new check, whose "dead" answer lets the
   * newcomer in. Without the expiry the second check never starts and the newcomer never enters.
   */
  @Test
  void aLivenessCheckThatDiesWithoutAnAnswerDoesNotFreezeTheBucket() {
    List<PeerId> ps = bucketZero(3);
    FakeClock clock = new FakeClock(0);
    AtomicInteger checks = new AtomicInteger();
    try (KadTable table =
        new KadTable(
            new RoutingTable(self, 2, 2, 2, 1000),
            clock,
            p -> {
              if (checks.incrementAndGet() == 1) {
                throw new IllegalStateException("a check that dies");
              }
              return false; // the stale entry is gone
            },
            "test")) {
      table.start();
      table.post(new Observe(ps.get(0)));
      table.post(new Observe(ps.get(1)));
      Await.until(() -> table.members().size() == 2, "bucket full");
      clock.advanceMillis(2000);
      table.post(new Observe(ps.get(2)));
      Await.until(() -> checks.get() == 1, "first liveness check");
      clock.advanceMillis(1000);
      table.post(new Observe(ps.get(2)));
      Await.until(
          () -> table.members().stream().map(Member::peer).toList().contains(ps.get(2)),
          "the newcomer in, after a second check");
      assertThat(checks.get()).isEqualTo(2);
      assertThat(table.members().stream().map(Member::peer)).doesNotContain(ps.get(0));
    }
  }
}
