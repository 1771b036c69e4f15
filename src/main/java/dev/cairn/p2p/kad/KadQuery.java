package dev.cairn.p2p.kad;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One iterative FIND_NODE lookup (spec: kad-dht "Peer routing"). The lookup's state lives on the
 * calling (virtual) thread; each request runs on its own virtual thread and hands its outcome back
 * through a queue.
 *
 * <p>Seeded with the k closest peers we know, it keeps up to α requests in flight, always to the
 * closest peers not yet asked, adds the closer peers each answer names, and stops when the k
 * closest peers it has not seen fail have all answered, when nobody is left to ask, when {@code
 * wanted} turns up, or at the query timeout. A peer that does not answer costs at most the request
 * timeout that {@link Rpc} enforces, and the lookup goes on with α − 1 in flight meanwhile.
 *
 * <p>Bounds: at most {@link #MAX_CANDIDATES_FACTOR}·k requests per lookup (then it ends with what
 * it has), and as many outcome messages; beyond {@link #MAX_CANDIDATES_FACTOR}·k candidates the
 * farthest unasked one is dropped.
 */
final class KadQuery {
  static final int MAX_CANDIDATES_FACTOR = 8;

  /** One FIND_NODE round trip with its own timeout. */
  interface Rpc {
    List<KadPeer> findNode(PeerId peer, byte[] key) throws IOException, ProtocolException;
  }

  /** Hears each request's outcome (to feed the routing table and the peer store). */
  interface Observer {
    void answered(PeerId peer, List<KadPeer> closer);

    void failed(PeerId peer, Exception cause);
  }

  /**
   * What a lookup found.
   *
   * @param closest up to k peers that answered, closest to the key first
   * @param found the {@code wanted} peer with the addresses someone gave for it, or null
   * @param asked requests sent
   * @param failures requests that failed
   * @param timedOut the query timeout ended the lookup
   */
  record Result(List<PeerId> closest, KadPeer found, int asked, int failures, boolean timedOut) {}

  private enum State {
    WAITING,
    IN_FLIGHT,
    ANSWERED,
    FAILED
  }

  private record Candidate(PeerId peer, KadKey key) {}

  private record Outcome(PeerId peer, List<KadPeer> closer, Exception failure) {}

  private final byte[] key;
  private final KadKey target;
  private final PeerId self;
  private final PeerId wanted;
  private final int k;
  private final int alpha;
  private final int maxRequests;
  private final Rpc rpc;
  private final Observer observer;
  private final Map<PeerId, State> states = new HashMap<>();
  private final TreeSet<Candidate> candidates;
  // unbounded type, bounded use: one outcome per request, at most MAX_CANDIDATES_FACTOR·k requests
  private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

  KadQuery(byte[] key, PeerId self, PeerId wanted, int k, int alpha, Rpc rpc, Observer observer) {
    this.key = key.clone();
    this.target = KadKey.of(key);
    this.self = self;
    this.wanted = wanted;
    this.k = k;
    this.alpha = alpha;
    this.maxRequests = MAX_CANDIDATES_FACTOR * k;
    this.rpc = rpc;
    this.observer = observer;
    this.candidates =
        new TreeSet<>(
            (a, b) -> {
              int c = target.compareDistance(a.key, b.key);
              return c != 0 ? c : a.peer.compareTo(b.peer);
            });
  }

  /**
   * Runs the lookup from {@code seeds} on the calling thread. A request not answered within {@code
   * requestTimeout} counts as failed (its late answer is ignored), whatever the {@link Rpc} does.
   */
  Result run(Collection<PeerId> seeds, Duration requestTimeout, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (PeerId p : seeds) {
      add(p);
    }
    Map<PeerId, Long> sentAt = new HashMap<>();
    int asked = 0;
    int failures = 0;
    KadPeer found = null;
    boolean timedOut = false;
    while (true) {
      int considered = 0;
      for (Candidate c : candidates) {
        State s = states.get(c.peer);
        if (s == State.FAILED) {
          continue;
        }
        if (++considered > k || sentAt.size() >= alpha && s == State.WAITING) {
          break;
        }
        if (s == State.WAITING && asked < maxRequests) {
          states.put(c.peer, State.IN_FLIGHT);
          sentAt.put(c.peer, System.nanoTime());
          asked++;
          send(c.peer);
        }
      }
      if (sentAt.isEmpty()) {
        break; // the k closest have all answered, or nobody is left to ask
      }
      long now = System.nanoTime();
      long wake = deadline;
      for (long t : sentAt.values()) {
        wake = Math.min(wake, t + requestTimeout.toNanos());
      }
      Outcome o = wake > now ? outcomes.poll(wake - now, TimeUnit.NANOSECONDS) : null;
      if (o == null) {
        now = System.nanoTime();
        if (now - deadline >= 0) {
          timedOut = true;
          break;
        }
        for (PeerId p : List.copyOf(sentAt.keySet())) {
          if (now - sentAt.get(p) >= requestTimeout.toNanos()) {
            sentAt.remove(p);
            failures++;
            states.put(p, State.FAILED);
            observer.failed(
                p,
                ProtocolException.stream(
                    ProtocolException.Reason.TIMEOUT,
                    "no FIND_NODE answer within " + requestTimeout.toMillis() + " ms"));
          }
        }
        continue;
      }
      if (sentAt.remove(o.peer) == null) {
        continue; // it answered after its request timed out
      }
      if (o.failure != null) {
        failures++;
        states.put(o.peer, State.FAILED);
        observer.failed(o.peer, o.failure);
        continue;
      }
      states.put(o.peer, State.ANSWERED);
      observer.answered(o.peer, o.closer);
      for (KadPeer p : o.closer) {
        if (p.id().equals(wanted) && !p.addresses().isEmpty()) {
          found = p;
        }
        add(p.id());
      }
      if (found != null) {
        break;
      }
    }
    List<PeerId> closest = new ArrayList<>(k);
    for (Candidate c : candidates) {
      if (closest.size() == k) {
        break;
      }
      if (states.get(c.peer) == State.ANSWERED) {
        closest.add(c.peer);
      }
    }
    return new Result(List.copyOf(closest), found, asked, failures, timedOut);
  }

  private void add(PeerId peer) {
    if (peer.equals(self) || states.containsKey(peer)) {
      return;
    }
    states.put(peer, State.WAITING);
    candidates.add(new Candidate(peer, KadKey.of(peer)));
    if (candidates.size() > MAX_CANDIDATES_FACTOR * k) {
      // drop the farthest peer we have not asked yet (those asked stay: an answer is due)
      for (Candidate c : candidates.descendingSet()) {
        if (states.get(c.peer) == State.WAITING) {
          candidates.remove(c);
          break;
        }
      }
    }
  }

  private void send(PeerId peer) {
    KadThreads.start(
        "rpc",
        peer,
        () -> {
          Outcome o;
          try {
            o = new Outcome(peer, rpc.findNode(peer, key), null);
          } catch (IOException | ProtocolException | RuntimeException e) {
            o = new Outcome(peer, List.of(), e);
          }
          outcomes.add(o);
        });
  }
}
