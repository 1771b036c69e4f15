package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.kad.RoutingTable.Member;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lookups over a simulated network: each peer answers from its own routing table. */
@Timeout(60)
class KadQueryTest {
  private static final Multiaddr ADDR = Multiaddr.parse("/ip4/127.0.0.1/tcp/1");
  private static final int K = 20;

  // built once: 300 tables of 300 peers (90,000 observations) take a few seconds
  private static final List<PeerId> peers = KadTestSupport.peers(300, 11);
  private static final Map<PeerId, RoutingTable> tables = new HashMap<>();
  private final Set<PeerId> silent = ConcurrentHashMap.newKeySet();
  private final Set<PeerId> failed = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final CountDownLatch never = new CountDownLatch(1);

  static {
    Random r = new Random(5);
    for (PeerId p : peers) {
      RoutingTable t = new RoutingTable(p, K, K, 2, 1000);
      List<PeerId> order = new ArrayList<>(peers);
      Collections.shuffle(order, r);
      for (PeerId q : order) {
        t.observe(q, 0);
      }
      tables.put(p, t);
    }
  }

  private List<KadPeer> answer(PeerId peer, byte[] key) throws IOException, ProtocolException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      if (silent.contains(peer)) {
        never.await();
      }
      return tables.get(peer).closest(KadKey.of(key), K).stream()
          .map(m -> new KadPeer(m.peer(), List.of(ADDR)))
          .toList();
    } catch (InterruptedException e) {
      throw new IOException(e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private KadQuery.Result lookup(PeerId from, byte[] key, PeerId wanted, int alpha)
      throws InterruptedException {
    List<PeerId> seeds =
        tables.get(from).closest(KadKey.of(key), K).stream().map(Member::peer).toList();
    KadQuery q =
        new KadQuery(
            key,
            from,
            wanted,
            K,
            alpha,
            this::answer,
            new KadQuery.Observer() {
              @Override
              public void answered(PeerId peer, List<KadPeer> closer) {}

              @Override
              public void failed(PeerId peer, Exception cause) {
                failed.add(peer);
              }
            });
    return q.run(seeds, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  @Test
  void findsTheTrueKClosestForRandomKeys() throws Exception {
    Random r = new Random(99);
    int exact = 0;
    for (int i = 0; i < 100; i++) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      PeerId from = peers.get(r.nextInt(peers.size()));
      List<PeerId> others = peers.stream().filter(p -> !p.equals(from)).toList();
      KadQuery.Result res = lookup(from, key, null, 3);
      if (res.closest().equals(KadTestSupport.trueClosest(others, key, K))) {
        exact++;
      }
      assertThat(res.timedOut()).isFalse();
    }
    assertThat(exact).isGreaterThanOrEqualTo(95);
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(3);
  }

  @Test
  void stopsAsSoonAsTheWantedPeerIsNamed() throws Exception {
    PeerId target = peers.get(123);
    KadQuery.Result res = lookup(peers.get(0), target.bytes(), target, 3);
    assertThat(res.found()).isEqualTo(new KadPeer(target, List.of(ADDR)));
  }

  @Test
  void silentPeersCostTheRequestTimeoutAndAreReportedFailed() throws Exception {
    byte[] key = new byte[32];
    new Random(1).nextBytes(key);
    PeerId from = peers.get(0);
    // the five closest the querier knows never answer
    List<PeerId> seeds =
        tables.get(from).closest(KadKey.of(key), 5).stream().map(Member::peer).toList();
    silent.addAll(seeds);
    long start = System.nanoTime();
    KadQuery.Result res = lookup(from, key, null, 3);
    long ms = (System.nanoTime() - start) / 1_000_000;
    List<PeerId> others =
        peers.stream().filter(p -> !silent.contains(p) && !p.equals(from)).toList();
    // the silent peers may have been the only ones to know one or two of the true closest
    List<PeerId> truth = KadTestSupport.trueClosest(others, key, K);
    assertThat(res.closest().stream().filter(truth::contains).count()).isGreaterThanOrEqualTo(17);
    assertThat(res.closest()).doesNotContainAnyElementsOf(silent);
    assertThat(failed).containsAll(seeds);
    // 5 silent peers, 3 at a time, 200 ms each: two timeout rounds, plus the answers
    assertThat(ms).isLessThan(2_000);
    never.countDown();
  }

  @Test
  void endsAtTheQueryTimeoutWhenEveryoneIsSilent() throws Exception {
    silent.addAll(peers);
    PeerId from = peers.get(0);
    KadQuery q =
        new KadQuery(
            new byte[] {1},
            from,
            null,
            K,
            3,
            this::answer,
            new KadQuery.Observer() {
              @Override
              public void answered(PeerId peer, List<KadPeer> closer) {}

              @Override
              public void failed(PeerId peer, Exception cause) {}
            });
    long start = System.nanoTime();
    KadQuery.Result res =
        q.run(peers.subList(1, 40), Duration.ofSeconds(5), Duration.ofMillis(300));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(res.timedOut()).isTrue();
    assertThat(res.closest()).isEmpty();
    assertThat(ms).isBetween(250L, 1_500L);
    never.countDown();
  }
}
