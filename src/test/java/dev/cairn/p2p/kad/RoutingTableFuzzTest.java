package dev.cairn.p2p.kad;

import static dev.cairn.p2p.kad.KadTestSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes the routing table's bookkeeping: the fuzzer plays every peer and every answer, as a
 * sequence of three-byte steps (operation, peer, time passing) over a pool of peers of which many
 * share the table's nearest buckets. After every step the table must keep its bounds and its word:
 * at most k live peers per bucket and {@code replacements} candidates, never ourselves, members and
 * size agree, a liveness check asked only for a stale member of the newcomer's bucket and never a
 * second one while one is under way, a violation evicts at once, and {@code closest} answers
 * members closest first.
 */
class RoutingTableFuzzTest {
  private static final int K = 3;
  private static final int REPLACEMENTS = 2;
  private static final int FAILURES = 2;
  private static final long LIVENESS = 1000;
  private static final PeerId SELF = peer(0);
  private static final List<PeerId> POOL = pool();

  /** 40 peers: half from the two buckets nearest us (so they fill), half anywhere. */
  private static List<PeerId> pool() {
    KadKey self = KadKey.of(SELF);
    List<PeerId> near = new ArrayList<>();
    List<PeerId> any = new ArrayList<>();
    for (long s = 1; near.size() < 20 || any.size() < 20; s++) {
      PeerId p = peer(s);
      if (self.commonPrefixLength(KadKey.of(p)) <= 1) {
        if (near.size() < 20) {
          near.add(p);
        }
      } else if (any.size() < 20) {
        any.add(p);
      }
    }
    List<PeerId> all = new ArrayList<>(near);
    all.addAll(any);
    all.add(SELF); // the fuzzer may name us too
    return List.copyOf(all);
  }

  private static int bucket(PeerId p) {
    return KadKey.of(SELF).commonPrefixLength(KadKey.of(p));
  }

  @FuzzTest(maxDuration = "10s")
  void tableKeepsItsBoundsWhateverPeersDo(byte[] input) {
    RoutingTable table = new RoutingTable(SELF, K, REPLACEMENTS, FAILURES, LIVENESS);
    Map<PeerId, Long> seenAsMember = new HashMap<>(); // last time a member was observed
    Map<Integer, PeerId> checking = new HashMap<>(); // the check under way, per bucket
    Map<Integer, Long> checkingSince = new HashMap<>(); // when it was asked for
    long now = 0;
    for (int i = 0; i + 2 < input.length; i += 3) {
      int op = (input[i] & 0xff) % 6;
      PeerId p = POOL.get((input[i + 1] & 0xff) % POOL.size());
      now += (input[i + 2] & 0xff) * 16L;
      boolean wasMember = table.contains(p);
      int sizeBefore = table.size();
      long bucketSizeBefore =
          table.members().stream().filter(m -> bucket(m.peer()) == bucket(p)).count();
      switch (op) {
        case 0, 1 -> {
          PeerId check = table.observe(p, now);
          if (p.equals(SELF)) {
            assertThat(check).isNull();
          } else if (wasMember || bucketSizeBefore < K) {
            assertThat(check).as("no check when there is room").isNull();
            assertThat(table.contains(p)).as("an observed peer with room is in").isTrue();
          }
          if (check != null) {
            assertThat(table.contains(check)).as("the check names a member").isTrue();
            assertThat(bucket(check)).as("of the newcomer's bucket").isEqualTo(bucket(p));
            assertThat(
                    !checking.containsKey(bucket(p))
                        || now - checkingSince.get(bucket(p)) >= LIVENESS)
                .as("one check at a time per bucket, until it is a liveness interval old")
                .isTrue();
            Long seen = seenAsMember.get(check);
            assertThat(seen == null || now - seen >= LIVENESS)
                .as("only a stale member is checked")
                .isTrue();
            checking.put(bucket(p), check);
            checkingSince.put(bucket(p), now);
          }
          if (table.contains(p)) {
            seenAsMember.put(p, now);
          }
        }
        case 2 -> {
          boolean alive = (input[i + 2] & 1) == 0;
          table.livenessResult(p, alive, now);
          checking.remove(bucket(p), p);
          if (!alive) {
            assertThat(table.contains(p)).as("a dead peer is evicted").isFalse();
          } else if (wasMember) {
            assertThat(table.contains(p)).isTrue();
            seenAsMember.put(p, now);
          }
        }
        case 3 -> {
          boolean evicted = table.failed(p, true);
          assertThat(evicted).as("a violation evicts a member at once").isEqualTo(wasMember);
          assertThat(table.contains(p)).isFalse();
        }
        case 4 -> {
          boolean evicted = table.failed(p, false);
          assertThat(!evicted || wasMember).isTrue();
          if (!wasMember) {
            assertThat(table.contains(p)).isFalse();
          }
        }
        default -> {
          table.evict(p);
          assertThat(table.contains(p)).isFalse();
        }
      }
      if (!table.contains(p)) {
        checking.remove(bucket(p), p);
      }
      checkBounds(table, sizeBefore, seenAsMember);
    }
    KadKey target = KadKey.of(POOL.get(input.length % POOL.size()));
    List<Member> closest = table.closest(target, K + 1);
    assertThat(closest).hasSize(Math.min(K + 1, table.size()));
    for (int j = 1; j < closest.size(); j++) {
      assertThat(target.compareDistance(closest.get(j - 1).key(), closest.get(j).key()))
          .isNegative();
    }
  }

  private static void checkBounds(
      RoutingTable table, int sizeBefore, Map<PeerId, Long> seenAsMember) {
    List<Member> members = table.members();
    assertThat(table.size()).isEqualTo(members.size());
    assertThat(Math.abs(table.size() - sizeBefore))
        .as("one step, one member in or out")
        .isLessThanOrEqualTo(1);
    Set<PeerId> peers = new HashSet<>();
    Map<Integer, Integer> perBucket = new HashMap<>();
    for (Member m : members) {
      assertThat(peers.add(m.peer())).as("no peer twice").isTrue();
      assertThat(m.peer()).isNotEqualTo(SELF);
      assertThat(perBucket.merge(bucket(m.peer()), 1, Integer::sum)).isLessThanOrEqualTo(K);
    }
    assertThat(table.replacementCount()).isLessThanOrEqualTo(REPLACEMENTS * 256);
    assertThat(table.replacementCount())
        .as("replacements only for full buckets, at most " + REPLACEMENTS + " each")
        .isLessThanOrEqualTo(
            REPLACEMENTS * (int) perBucket.values().stream().filter(n -> n == K).count());
    seenAsMember.keySet().retainAll(peers);
  }
}
