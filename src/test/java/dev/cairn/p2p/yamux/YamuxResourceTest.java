package dev.cairn.p2p.yamux;

import static dev.cairn.p2p.yamux.YamuxSessions.QUIET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.MemoryDuplex;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Yamux streams under the host's {@link ResourceManager}: windows are reserved memory, a stream the
 * budget cannot hold is reset, growth stops at the budget, and everything is released on close. The
 * remote is a crafted peer ({@link RawPeer}) or a second session over in-memory pipes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class YamuxResourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int WINDOW = YamuxConfig.INITIAL_WINDOW;
  private static final long MIB = 1024 * 1024;

  @RegisterExtension final YamuxSessions sessions = new YamuxSessions();

  private static PeerId somePeer() {
    return PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
  }

  private static ResourceManager budget(long peerBytes) {
    return new ResourceManager(ResourceLimits.defaults().withMemory(64 * MIB, peerBytes));
  }

  /** A session under {@code rm} (server role) facing a crafted {@code peer}. */
  private RawPeer crafted(
      ResourceManager rm, PeerId peer, java.util.function.Consumer<YamuxStream> handler) {
    ResourceManager.ConnectionScope scope = rm.openConnection(peer);
    RawPeer attacker = sessions.crafted(false, QUIET, handler, scope);
    attacker.session().onClose(scope::close);
    return attacker;
  }

  /**
   * A crafted {@code peer} under {@code rm} that opened {@code n} streams (ids 1, 3, …; the session
   * reads each to its end as data comes) and then answered a ping late, so that the session grows
   * their windows: {@link #pump} then floods them.
   */
  private Growing growing(ResourceManager rm, PeerId peer, int n) throws Exception {
    List<YamuxStream> streams = new CopyOnWriteArrayList<>();
    RawPeer attacker = crafted(rm, peer, readingAll(streams));
    Map<Integer, Long> credit = openStreams(attacker, 1, n);
    fakeLongRoundTrip(attacker);
    return new Growing(attacker, streams, credit);
  }

  /** {@link #growing}'s peer, the streams the session accepted, and the peer's send credit. */
  private record Growing(RawPeer attacker, List<YamuxStream> streams, Map<Integer, Long> credit) {}

  @Test
  void inboundStreamsBeyondTheByteBudgetAreResetAndEverythingIsReleasedOnClose() throws Exception {
    ResourceManager rm = budget(4L * WINDOW); // room for four initial windows
    PeerId peer = somePeer();
    BlockingQueue<YamuxStream> accepted = new LinkedBlockingQueue<>();
    RawPeer attacker = crafted(rm, peer, accepted::add);
    for (int id = 1; id <= 11; id += 2) { // six streams
      attacker.send(YamuxFrame.windowUpdate(id, YamuxFrame.FLAG_SYN, 0));
    }
    List<Integer> reset = new ArrayList<>();
    while (reset.size() < 2) {
      YamuxFrame f = attacker.next(x -> x.has(YamuxFrame.FLAG_RST));
      reset.add(f.streamId());
    }
    assertThat(reset).containsExactly(9, 11);
    assertThat(rm.peerUsage(peer)).isEqualTo(new ResourceManager.Usage(4L * WINDOW, 4));
    assertThat(rm.snapshot().peakBytes()).isEqualTo(4L * WINDOW);

    // One stream finishes: its window is free for a new one.
    List<YamuxStream> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    four.getFirst().reset();
    attacker.send(YamuxFrame.windowUpdate(13, YamuxFrame.FLAG_SYN, 0));
    YamuxStream again = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(again.id()).isEqualTo(13);

    attacker.session().close(); // streams still open: the session's end releases them
    assertThat(rm.peerUsage(peer)).isEqualTo(new ResourceManager.Usage(0, 0));
    assertThat(rm.snapshot().system()).isEqualTo(new ResourceManager.Usage(0, 0));
    assertThat(rm.snapshot().peers()).isZero();
  }

  @Test
  void windowGrowthStopsAtTheBudgetWhenAPeerAnswersPingsLate() throws Exception {
    long budget = 2 * MIB;
    ResourceManager rm = budget(budget);
    PeerId peer = somePeer();
    int n = 4;
    Growing flood = growing(rm, peer, n);
    pump(
        flood,
        48 * MIB,
        () -> false,
        () -> assertThat(rm.peerUsage(peer).bytes()).isLessThanOrEqualTo(budget));
    long windows = flood.streams().stream().mapToLong(YamuxStream::receiveWindow).sum();
    assertThat(flood.streams()).hasSize(n);
    assertThat(windows).as("sum of receive windows").isLessThanOrEqualTo(budget);
    assertThat(windows).as("the windows did grow, up to the budget").isGreaterThan(n * WINDOW);
    assertThat(rm.snapshot().peakBytes()).isLessThanOrEqualTo(budget);

    for (int i = 0; i < n; i++) {
      flood.attacker().send(YamuxFrame.windowUpdate(1 + 2 * i, YamuxFrame.FLAG_FIN, 0));
    }
    Await.until(() -> flood.attacker().session().streamCount() == 0, WAIT, "streams closed");
    assertThat(rm.peerUsage(peer)).isEqualTo(new ResourceManager.Usage(0, 0));
  }

  /**
   * Growth is a low-priority reservation: it takes at most three quarters of the peer's budget, so
   * a peer whose windows grew as far as they may still gets new streams (up to the whole budget).
   */
  @Test
  void grownWindowsLeaveAQuarterOfThePeerBudgetForNewStreams() throws Exception {
    long budget = 4 * MIB;
    long growthShare = 3 * MIB;
    ResourceManager rm = budget(budget);
    PeerId peer = somePeer();
    int n = 4;
    Growing flood = growing(rm, peer, n);
    RawPeer attacker = flood.attacker();
    List<YamuxStream> streams = flood.streams();
    // Windows are 256 KiB times powers of two, so growth can always fill the share exactly.
    long sent =
        pump(
            flood,
            512 * MIB,
            () -> rm.peerUsage(peer).bytes() == growthShare,
            () -> assertThat(rm.peerUsage(peer).bytes()).isLessThanOrEqualTo(growthShare));
    assertThat(rm.peerUsage(peer).bytes()).as("growth filled its share").isEqualTo(growthShare);
    assertThat(sent).as("the share was reached before the data ran out").isLessThan(512 * MIB);
    assertThat(streams.stream().mapToLong(YamuxStream::receiveWindow).sum()).isEqualTo(growthShare);

    // The quarter left holds four more initial windows, the fifth passes the whole budget.
    int before = streams.size();
    openStreams(attacker, 1 + 2 * n, 5);
    YamuxFrame reset = attacker.next(f -> f.has(YamuxFrame.FLAG_RST));
    assertThat(reset.streamId()).isEqualTo(1 + 2 * (n + 4));
    Await.until(() -> streams.size() == before + 4, WAIT, "four new streams accepted");
    assertThat(rm.peerUsage(peer)).isEqualTo(new ResourceManager.Usage(budget, n + 4));
  }

  @Test
  void openingAndClosingManyStreamsLeavesNoUsageBehind() throws Exception {
    ResourceManager rm = budget(8 * MIB);
    PeerId a = somePeer();
    PeerId b = somePeer();
    MemoryDuplex[] pipes = MemoryDuplex.pair(WINDOW);
    ResourceManager.ConnectionScope clientScope = rm.openConnection(b);
    ResourceManager.ConnectionScope serverScope = rm.openConnection(a);
    YamuxSession client =
        YamuxSession.start(pipes[0], true, YamuxConfig.defaults(), s -> {}, "c", clientScope);
    YamuxSession server =
        YamuxSession.start(
            pipes[1],
            false,
            YamuxConfig.defaults(),
            s -> {
              try {
                s.out().write(s.in().readAllBytes());
                s.closeWrite();
              } catch (IOException e) {
                s.reset();
              }
            },
            "s",
            serverScope);
    sessions.own(client);
    sessions.own(server);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int k = i;
      done.add(
          sessions.threads.submit(
              () -> {
                YamuxStream s = client.openStream();
                if (k % 3 == 0) {
                  s.reset(); // some end by reset
                  return null;
                }
                s.out().write(new byte[] {(byte) k});
                s.closeWrite();
                assertThat(s.in().readAllBytes()).containsExactly((byte) k);
                s.close();
                return null;
              }));
      if (done.size() == 16) { // 16 windows of 256 KiB: within the 8 MiB per peer
        for (Future<?> f : done) {
          f.get(30, TimeUnit.SECONDS);
        }
        done.clear();
      }
    }
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    Await.until(
        () -> client.streamCount() == 0 && server.streamCount() == 0, WAIT, "all streams gone");
    assertThat(rm.snapshot().system()).isEqualTo(new ResourceManager.Usage(0, 0));
    assertThat(clientScope.usage()).isEqualTo(new ResourceManager.Usage(0, 0));
    assertThat(serverScope.usage()).isEqualTo(new ResourceManager.Usage(0, 0));
    client.close();
    server.close();
    clientScope.close();
    serverScope.close();
    assertThat(rm.snapshot().peers()).isZero();
    assertThat(rm.snapshot().connections()).isZero();
  }

  /** An inbound handler that reads each stream to its end at once, then closes it. */
  private static java.util.function.Consumer<YamuxStream> readingAll(List<YamuxStream> streams) {
    return s -> {
      streams.add(s);
      try {
        s.in().transferTo(java.io.OutputStream.nullOutputStream());
        s.close();
      } catch (IOException e) {
        s.reset();
      }
    };
  }

  /** Opens {@code count} streams from {@code firstId} on; returns their send credit. */
  private static Map<Integer, Long> openStreams(RawPeer attacker, int firstId, int count)
      throws IOException {
    Map<Integer, Long> credit = new HashMap<>();
    for (int i = 0; i < count; i++) {
      int id = firstId + 2 * i;
      attacker.send(YamuxFrame.windowUpdate(id, YamuxFrame.FLAG_SYN, 0));
      credit.put(id, (long) WINDOW);
    }
    return credit;
  }

  /**
   * The attack on auto-tuning: answer the session's ping late, so that it believes in a long round
   * trip and grows windows that are consumed within four of them.
   */
  private void fakeLongRoundTrip(RawPeer attacker) throws Exception {
    Future<Duration> ping = sessions.threads.submit(() -> attacker.session().ping(WAIT));
    YamuxFrame syn = attacker.next(f -> f.type() == YamuxFrame.TYPE_PING);
    // The peer's deliberate delay: a window then grows when half of it is read within 4 s of the
    // last credit, which even a slow, loaded machine does with room to spare.
    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    attacker.send(YamuxFrame.ping(YamuxFrame.FLAG_ACK, (int) syn.length()));
    assertThat(ping.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  /**
   * Sends Data on {@code flood}'s streams as fast as their credit allows, until {@code limit} bytes
   * went out or {@code done} holds after a window update; runs {@code check} after each window
   * update.
   *
   * @return the bytes sent
   */
  private static long pump(
      Growing flood, long limit, java.util.function.BooleanSupplier done, Runnable check)
      throws Exception {
    RawPeer attacker = flood.attacker();
    Map<Integer, Long> credit = flood.credit();
    long sent = 0;
    byte[] chunk = new byte[64 * 1024];
    while (true) {
      for (Map.Entry<Integer, Long> e : credit.entrySet()) {
        while (e.getValue() > 0 && sent < limit) {
          int len = (int) Math.min(chunk.length, e.getValue());
          attacker.sendData(e.getKey(), 0, java.util.Arrays.copyOf(chunk, len));
          e.setValue(e.getValue() - len);
          sent += len;
        }
      }
      if (sent >= limit) {
        return sent;
      }
      YamuxFrame update =
          attacker.next(f -> f.type() == YamuxFrame.TYPE_WINDOW_UPDATE && f.length() > 0);
      credit.merge(update.streamId(), update.length(), Long::sum);
      check.run();
      if (done.getAsBoolean()) {
        return sent;
      }
    }
  }
}
