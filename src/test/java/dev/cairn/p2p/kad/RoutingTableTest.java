package dev.cairn.p2p.kad;

import static dev.cairn.p2p.kad.KadTestSupport.peer;
import static dev.cairn.p2p.kad.KadTestSupport.peers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RoutingTableTest {
  private final PeerId self = peer(0);

  private List<PeerId> bucketZero(int n) {
    return KadTestSupport.bucketZero(self, n);
  }

  @Test
  void keepsAtMostKPeersPerBucketAndQueuesTheRest() {
    RoutingTable t = new RoutingTable(self, 4, 2, 2, 1000);
    List<PeerId> ps = bucketZero(8);
    for (PeerId p : ps) {
      t.observe(p, 0);
    }
    assertThat(t.size()).isEqualTo(4);
    assertThat(t.replacementCount()).isEqualTo(2); // bounded: the oldest candidates dropped
    assertThat(t.nonEmptyBuckets()).containsExactly(0);
  }

  /**
   * A table of buckets of two (two replacements, a peer stale after 1000 ms) whose bucket 0 is
   * full: {@code ps[0]} seen at 0, {@code ps[1]} at {@code secondSeenAt}.
   */
  private RoutingTable fullBucketZero(List<PeerId> ps, long secondSeenAt) {
    RoutingTable t = new RoutingTable(self, 2, 2, 2, 1000);
    t.observe(ps.get(0), 0);
    t.observe(ps.get(1), secondSeenAt);
    return t;
  }

  @Test
  void aFullBucketAsksToCheckItsStalestPeerAndEvictsItWhenDead() {
    List<PeerId> ps = bucketZero(3);
    RoutingTable t = fullBucketZero(ps, 10);
    assertThat(t.observe(ps.get(2), 500)).isNull(); // oldest seen 500 ms ago: fresh enough
    assertThat(t.observe(ps.get(2), 2000)).isEqualTo(ps.get(0));
    assertThat(t.observe(ps.get(2), 2001)).isNull(); // one check at a time
    t.livenessResult(ps.get(0), false, 2100);
    assertThat(t.contains(ps.get(0))).isFalse();
    assertThat(t.contains(ps.get(2))).isTrue();
  }

  /**
   * A check whose answer never comes (dropped by a full mailbox, say) holds the bucket for one
   * liveness interval only; then the next newcomer asks for another, and its answer counts.
   */
  @Test
  void aCheckWhoseAnswerIsLostHoldsTheBucketForOneLivenessIntervalOnly() {
    List<PeerId> ps = bucketZero(3);
    RoutingTable t = fullBucketZero(ps, 10);
    assertThat(t.observe(ps.get(2), 2000)).isEqualTo(ps.get(0)); // its answer is lost
    assertThat(t.observe(ps.get(2), 2999)).isNull(); // still under way
    assertThat(t.observe(ps.get(2), 3000)).isEqualTo(ps.get(0)); // given up: asked again
    assertThat(t.observe(ps.get(2), 3001)).isNull();
    t.livenessResult(ps.get(0), false, 3100);
    assertThat(t.contains(ps.get(0))).isFalse();
    assertThat(t.contains(ps.get(2))).isTrue();
  }

  @Test
  void aLiveStalestPeerStaysAndTheNewcomerWaits() {
    List<PeerId> ps = bucketZero(3);
    RoutingTable t = fullBucketZero(ps, 10);
    assertThat(t.observe(ps.get(2), 2000)).isEqualTo(ps.get(0));
    t.livenessResult(ps.get(0), true, 2100);
    assertThat(t.contains(ps.get(0))).isTrue();
    assertThat(t.contains(ps.get(2))).isFalse();
    assertThat(t.replacementCount()).isEqualTo(1);
  }

  @Test
  void repeatedFailuresEvictAndAViolationEvictsAtOnce() {
    List<PeerId> ps = bucketZero(3);
    RoutingTable t = fullBucketZero(ps, 0);
    t.observe(ps.get(2), 0); // replacement
    assertThat(t.failed(ps.get(0), false)).isFalse();
    assertThat(t.failed(ps.get(0), false)).isTrue();
    assertThat(t.contains(ps.get(2))).isTrue(); // promoted
    assertThat(t.failed(ps.get(1), true)).isTrue();
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void anAnswerResetsTheFailureCount() {
    RoutingTable t = new RoutingTable(self, 2, 2, 2, 1000);
    PeerId p = bucketZero(1).getFirst();
    t.observe(p, 0);
    t.failed(p, false);
    t.observe(p, 1);
    assertThat(t.failed(p, false)).isFalse();
  }

  @Test
  void neverHoldsItself() {
    RoutingTable t = new RoutingTable(self, 20, 20, 2, 1000);
    t.observe(self, 0);
    assertThat(t.size()).isZero();
  }

  @Test
  void closestMatchesBruteForce() {
    RoutingTable t = new RoutingTable(self, 20, 20, 2, 1000);
    List<PeerId> all = peers(300, 7);
    for (PeerId p : all) {
      t.observe(p, 0);
    }
    List<PeerId> inTable = t.members().stream().map(Member::peer).toList();
    Random r = new Random(3);
    for (int i = 0; i < 20; i++) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      assertThat(t.closest(KadKey.of(key), 20).stream().map(Member::peer).toList())
          .isEqualTo(KadTestSupport.trueClosest(inTable, key, 20));
    }
  }

  @Test
  void commonPrefixLengthAndDistanceAgree() {
    KadKey a = KadKey.of(peer(1));
    KadKey b = KadKey.of(peer(2));
    int cpl = a.commonPrefixLength(b);
    assertThat(a.distance(b).bitLength()).isEqualTo(256 - cpl);
    assertThat(a.commonPrefixLength(a)).isEqualTo(256);
    byte[] key = a.randomKeyWithPrefix(5, new Random(1), 1 << 16);
    assertThat(a.commonPrefixLength(KadKey.of(key))).isEqualTo(5);
  }
}
