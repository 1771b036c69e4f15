package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fuzzes a FIND_NODE lookup ({@link KadQuery}) among peers whose answers the fuzzer writes: each
 * names peers of its choosing (with or without addresses, the looked-up peer, us, itself), fails
 * with a protocol violation, an I/O error or an unchecked exception, or never answers. Whatever
 * they do, the lookup ends before its overall timeout; asks no peer twice and never us; sends at
 * most {@value KadQuery#MAX_CANDIDATES_FACTOR}·k requests, each to a seed or a peer some answer
 * named; returns at most k peers, closest first, each of which answered; counts every request as
 * answered or failed; and reports the looked-up peer only if an answer gave it with an address.
 */
class KadQueryFuzzTest {
  private static final List<PeerId> POOL = KadTestSupport.peers(64, 17);
  private static final PeerId SELF = POOL.get(0);
  private static final List<Multiaddr> ADDR = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"));

  private enum Conduct {
    ANSWER,
    VIOLATION,
    IO_ERROR,
    UNCHECKED,
    SILENT
  }

  private record Answer(Conduct conduct, List<KadPeer> closer) {}

  @FuzzTest(maxDuration = "30s")
  void lookupEndsWithinItsBoundsWhateverPeersAnswer(FuzzedDataProvider data) throws Exception {
    int k = data.consumeInt(1, 8);
    int alpha = data.consumeInt(1, 4);
    PeerId wanted = data.consumeBoolean() ? data.pickValue(POOL) : null;
    byte[] key = wanted != null ? wanted.bytes() : data.pickValue(POOL).bytes();
    Set<PeerId> seeds = new HashSet<>();
    int seedCount = data.consumeInt(0, 12);
    for (int i = 0; i < seedCount; i++) {
      seeds.add(data.pickValue(POOL));
    }
    Map<PeerId, Answer> answers = new HashMap<>();
    for (PeerId p : POOL) {
      Conduct c = data.pickValue(Conduct.values());
      List<KadPeer> closer = new ArrayList<>();
      int n = c == Conduct.ANSWER ? data.consumeInt(0, 24) : 0;
      for (int i = 0; i < n; i++) {
        closer.add(new KadPeer(data.pickValue(POOL), data.consumeBoolean() ? ADDR : List.of()));
      }
      answers.put(p, new Answer(c, closer));
    }

    CountDownLatch end = new CountDownLatch(1);
    Map<PeerId, AtomicInteger> asked = new ConcurrentHashMap<>();
    Semaphore calls = new Semaphore(0); // a permit per call: requests run on their own threads
    Set<PeerId> answered = ConcurrentHashMap.newKeySet();
    Set<PeerId> failed = ConcurrentHashMap.newKeySet();
    Set<PeerId> named = ConcurrentHashMap.newKeySet();
    KadQuery.Rpc rpc =
        (peer, k2) -> {
          asked.computeIfAbsent(peer, x -> new AtomicInteger()).incrementAndGet();
          calls.release();
          Answer a = answers.get(peer);
          switch (a.conduct) {
            case VIOLATION ->
                throw ProtocolException.stream(ProtocolException.Reason.MALFORMED, "fuzzed");
            case IO_ERROR -> throw new IOException("fuzzed");
            case UNCHECKED -> throw new IllegalStateException("fuzzed");
            case SILENT -> {
              try {
                end.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              throw new IOException("the lookup is over");
            }
            default -> {
              return a.closer;
            }
          }
        };
    KadQuery.Observer observer =
        new KadQuery.Observer() {
          @Override
          public void answered(PeerId peer, List<KadPeer> closer) {
            assertThat(answered.add(peer)).isTrue();
            closer.forEach(p -> named.add(p.id()));
          }

          @Override
          public void failed(PeerId peer, Exception cause) {
            assertThat(failed.add(peer)).isTrue();
          }
        };

    KadQuery.Result r;
    try {
      r =
          new KadQuery(key, SELF, wanted, k, alpha, rpc, observer)
              .run(seeds, Duration.ofMillis(5), Duration.ofSeconds(20));
    } finally {
      end.countDown();
    }

    assertThat(r.timedOut()).isFalse();
    // A request whose thread had not called yet when the lookup ended (it found its peer, or the
    // request timed out first) still calls: wait for each request the lookup says it sent.
    assertThat(calls.tryAcquire(r.asked(), 20, TimeUnit.SECONDS)).isTrue();
    assertThat(asked).doesNotContainKey(SELF);
    assertThat(asked.values()).allMatch(n -> n.get() == 1);
    assertThat(r.asked())
        .isEqualTo(asked.size())
        .isLessThanOrEqualTo(KadQuery.MAX_CANDIDATES_FACTOR * k);
    assertThat(asked.keySet()).allMatch(p -> seeds.contains(p) || named.contains(p));
    assertThat(r.failures()).isEqualTo(failed.size());
    assertThat(answered).noneMatch(failed::contains);
    if (r.found() == null) {
      assertThat(answered.size() + failed.size()).isEqualTo(r.asked());
    } else {
      assertThat(r.found().id()).isEqualTo(wanted);
      assertThat(r.found().addresses()).isNotEmpty();
      assertThat(answers.values())
          .anyMatch(a -> a.conduct == Conduct.ANSWER && a.closer.contains(r.found()));
    }
    assertThat(r.closest()).hasSizeLessThanOrEqualTo(k).doesNotHaveDuplicates();
    assertThat(r.closest()).allMatch(answered::contains);
    KadKey target = KadKey.of(key);
    for (int i = 1; i < r.closest().size(); i++) {
      assertThat(
              target.compareDistance(
                  KadKey.of(r.closest().get(i - 1)), KadKey.of(r.closest().get(i))))
          .isNegative();
    }
  }
}
