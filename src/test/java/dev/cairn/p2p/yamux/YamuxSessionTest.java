package dev.cairn.p2p.yamux;

import static dev.cairn.p2p.yamux.YamuxSessions.QUIET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.testing.Await;
import dev.cairn.testing.MemoryDuplex;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class YamuxSessionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int WINDOW = YamuxConfig.INITIAL_WINDOW;

  @RegisterExtension final YamuxSessions sessions = new YamuxSessions();

  // ---- helpers ----

  private record Pair(
      YamuxSession client,
      YamuxSession server,
      BlockingQueue<YamuxStream> atClient,
      BlockingQueue<YamuxStream> atServer) {}

  private Pair pair(YamuxConfig config, Consumer<YamuxStream> serverHandler) {
    MemoryDuplex[] pipes = MemoryDuplex.pair(WINDOW);
    BlockingQueue<YamuxStream> atClient = new LinkedBlockingQueue<>();
    BlockingQueue<YamuxStream> atServer = new LinkedBlockingQueue<>();
    YamuxSession client = YamuxSession.start(pipes[0], true, config, atClient::add, "c");
    YamuxSession server =
        YamuxSession.start(
            pipes[1], false, config, serverHandler == null ? atServer::add : serverHandler, "s");
    sessions.own(client);
    sessions.own(server);
    return new Pair(client, server, atClient, atServer);
  }

  private Pair pair() {
    return pair(YamuxConfig.defaults(), null);
  }

  private static void echo(YamuxStream stream) {
    try {
      byte[] buf = new byte[32 * 1024];
      int n;
      while ((n = stream.in().read(buf)) >= 0) {
        stream.out().write(buf, 0, n);
      }
      stream.closeWrite();
    } catch (IOException e) {
      stream.reset();
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static long crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  private static YamuxStream take(BlockingQueue<YamuxStream> queue) throws InterruptedException {
    YamuxStream stream = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(stream).as("inbound stream").isNotNull();
    return stream;
  }

  private static void awaitBlocked(Thread thread, String what) {
    Await.until(
        () ->
            thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING,
        WAIT,
        what);
  }

  // ---- opening, data ----

  @Test
  void opensAndAcceptsStreamsInBothDirectionsWithTheRightParity() throws Exception {
    Pair p = pair();
    YamuxStream fromClient = p.client().openStream();
    YamuxStream fromServer = p.server().openStream();
    assertThat(fromClient.id() % 2).isEqualTo(1);
    assertThat(fromServer.id() % 2).isEqualTo(0);
    assertThat(fromClient.outbound()).isTrue();

    fromClient.out().write("hello".getBytes());
    fromServer.out().write("olleh".getBytes());
    YamuxStream atServer = take(p.atServer());
    YamuxStream atClient = take(p.atClient());
    assertThat(atServer.id()).isEqualTo(fromClient.id());
    assertThat(atServer.outbound()).isFalse();
    assertThat(atClient.id()).isEqualTo(fromServer.id());
    assertThat(atServer.in().readNBytes(5)).isEqualTo("hello".getBytes());
    assertThat(atClient.in().readNBytes(5)).isEqualTo("olleh".getBytes());
    assertThat(p.client().client()).isTrue();
    assertThat(p.server().client()).isFalse();
    assertThat(p.client().streamCount()).isEqualTo(2);
  }

  @Test
  void echoesAndEndsWithEofAfterBothFinsThenLeavesTheTable() throws Exception {
    Pair p = pair(YamuxConfig.defaults(), YamuxSessionTest::echo);
    YamuxStream stream = p.client().openStream();
    byte[] message = random(100_000, 1);
    Future<byte[]> reply = sessions.threads.submit(() -> stream.in().readAllBytes());
    stream.out().write(message);
    stream.closeWrite();
    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(message);
    assertThat(stream.in().read()).isEqualTo(-1);
    Await.until(
        () -> p.client().streamCount() == 0 && p.server().streamCount() == 0,
        WAIT,
        "fully closed stream removed on both sides");
  }

  @Test
  void carries64ConcurrentStreamsOf1MibEachWayIntact() throws Exception {
    Pair p = pair(YamuxConfig.defaults(), YamuxSessionTest::echo);
    int streams = 64;
    int size = 1 << 20;
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      long seed = i;
      results.add(
          sessions.threads.submit(
              () -> {
                byte[] data = random(size, seed);
                YamuxStream stream = p.client().openStream();
                Future<Long> echoed =
                    sessions.threads.submit(
                        () -> {
                          CRC32C crc = new CRC32C();
                          byte[] buf = new byte[50_000];
                          long total = 0;
                          int n;
                          while ((n = stream.in().read(buf)) >= 0) {
                            crc.update(buf, 0, n);
                            total += n;
                          }
                          assertThat(total).isEqualTo(size);
                          return crc.getValue();
                        });
                // Mixed write sizes: tiny, frame-sized and larger than the window.
                int at = 0;
                int[] sizes = {1, 1000, 70_000, 300_000};
                for (int k = 0; at < size; k++) {
                  int n = Math.min(sizes[k % sizes.length], size - at);
                  stream.out().write(data, at, n);
                  at += n;
                }
                stream.closeWrite();
                return echoed.get(20, TimeUnit.SECONDS) == crc(data);
              }));
    }
    for (Future<Boolean> result : results) {
      assertThat(result.get(25, TimeUnit.SECONDS)).isTrue();
    }
    Await.until(() -> p.client().streamCount() == 0, WAIT, "all streams closed");
  }

  @Test
  void bothSidesStreamingAtOnceThroughTinyPipesDoNotDeadlock() throws Exception {
    MemoryDuplex[] pipes = MemoryDuplex.pair(1024);
    YamuxSession a =
        YamuxSession.start(pipes[0], true, YamuxConfig.defaults(), YamuxSessionTest::echo, "a");
    YamuxSession b =
        YamuxSession.start(pipes[1], false, YamuxConfig.defaults(), YamuxSessionTest::echo, "b");
    sessions.own(a);
    sessions.own(b);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      YamuxSession opener = i % 2 == 0 ? a : b;
      byte[] data = random(512 * 1024, 100 + i);
      results.add(
          sessions.threads.submit(
              () -> {
                YamuxStream stream = opener.openStream();
                Future<byte[]> back = sessions.threads.submit(() -> stream.in().readAllBytes());
                stream.out().write(data);
                stream.closeWrite();
                opener.ping(WAIT);
                return java.util.Arrays.equals(back.get(20, TimeUnit.SECONDS), data);
              }));
    }
    for (Future<Boolean> result : results) {
      assertThat(result.get(25, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void dataAfterTheRemoteFinResetsThatStreamOnly() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    peer.sendData(1, YamuxFrame.FLAG_FIN, "last".getBytes());
    YamuxStream stream = take(peer.accepted);
    peer.sendData(1, 0, "more".getBytes());
    YamuxFrame rst = peer.next(f -> f.has(YamuxFrame.FLAG_RST));
    assertThat(rst.streamId()).isEqualTo(1);
    assertThatThrownBy(() -> stream.in().readAllBytes()).isInstanceOf(IOException.class);
    assertThat(peer.session().isOpen()).isTrue();
    assertThat(peer.session().streamCount()).isZero();
  }

  @Test
  void aSixtyFourKibWriteIsOneDataFrame() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    YamuxStream stream = take(peer.accepted);
    stream.out().write(new byte[3 * 64 * 1024 + 5]);
    List<Long> lengths = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      lengths.add(peer.next(f -> f.type() == YamuxFrame.TYPE_DATA).length());
    }
    assertThat(lengths).containsExactly(65536L, 65536L, 65536L, 5L);
  }

  @Test
  void dataArrivingAfterWeClosedResetsTheStream() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    YamuxStream stream = take(peer.accepted);
    stream.close();
    YamuxFrame fin = peer.next(f -> f.has(YamuxFrame.FLAG_FIN));
    assertThat(fin.streamId()).isEqualTo(1);
    assertThat(peer.session().streamCount()).isEqualTo(1); // until the remote FINs too
    peer.sendData(1, 0, "unwanted".getBytes());
    assertThat(peer.next(f -> f.has(YamuxFrame.FLAG_RST)).streamId()).isEqualTo(1);
    Await.until(() -> peer.session().streamCount() == 0, WAIT, "stream removed");
  }

  @Test
  void halfCloseLetsTheOtherSideFinishItsReply() throws Exception {
    byte[] reply = random(3 * WINDOW, 2); // more than a window: needs updates after our FIN
    Pair p =
        pair(
            YamuxConfig.defaults(),
            stream -> {
              try {
                byte[] request = stream.in().readAllBytes(); // until the client's FIN
                stream.out().write(request);
                stream.out().write(reply);
                stream.close();
              } catch (IOException e) {
                stream.reset();
              }
            });
    YamuxStream stream = p.client().openStream();
    stream.out().write("request".getBytes());
    stream.out().close(); // = closeWrite
    assertThatThrownBy(() -> stream.out().write(1)).isInstanceOf(IOException.class);
    byte[] got = stream.in().readAllBytes();
    assertThat(new String(got, 0, 7)).isEqualTo("request");
    assertThat(crc(java.util.Arrays.copyOfRange(got, 7, got.length))).isEqualTo(crc(reply));
    stream.close();
    Await.until(() -> p.client().streamCount() == 0, WAIT, "stream removed");
  }

  // ---- reset and flow control ----

  @Test
  void resetWakesABlockedReaderAndWriterOnBothSides() throws Exception {
    Pair p = pair();
    YamuxStream stream = p.client().openStream();
    stream.out().write(1);
    YamuxStream remote = take(p.atServer());
    assertThat(remote.in().read()).isEqualTo(1);

    Future<?> reader = sessions.threads.submit(() -> stream.in().read());
    AtomicReference<Thread> writing = new AtomicReference<>();
    Future<?> writer =
        sessions.threads.submit(
            () -> {
              writing.set(Thread.currentThread());
              stream.out().write(new byte[2 * WINDOW]); // blocks: nobody reads remotely
              return null;
            });
    // The one byte already read is not yet credited back: the rest of the window is in flight.
    Await.until(() -> remote.buffered() == WINDOW - 1, WAIT, "window filled");
    Await.until(() -> writing.get() != null, WAIT, "writer started");
    awaitBlocked(writing.get(), "writer blocked");
    stream.reset();
    assertFailsWithIo(reader);
    assertFailsWithIo(writer);
    Await.until(() -> fails(() -> remote.in().read(new byte[WINDOW])), WAIT, "remote reset");
    assertThatThrownBy(() -> remote.out().write(1)).isInstanceOf(IOException.class);
    Await.until(
        () -> p.client().streamCount() == 0 && p.server().streamCount() == 0,
        WAIT,
        "reset stream removed on both sides");
  }

  @Test
  void aReaderThatDoesNotReadStopsTheWriterAtTheWindowWithoutBuffering() throws Exception {
    Pair p = pair();
    YamuxStream stream = p.client().openStream();
    AtomicLong written = new AtomicLong();
    AtomicReference<Thread> writerThread = new AtomicReference<>();
    byte[] chunk = new byte[16 * 1024];
    Future<?> writer =
        sessions.threads.submit(
            () -> {
              writerThread.set(Thread.currentThread());
              for (int i = 0; i < 4 * WINDOW / chunk.length; i++) {
                stream.out().write(chunk);
                written.addAndGet(chunk.length);
              }
              stream.closeWrite();
              return null;
            });
    YamuxStream remote = take(p.atServer());
    Await.until(() -> written.get() == WINDOW, WAIT, "one window written");
    Await.until(() -> writerThread.get() != null, WAIT, "writer started");
    awaitBlocked(writerThread.get(), "writer blocked on the send window");
    Await.until(() -> remote.buffered() == WINDOW, WAIT, "window buffered remotely");
    // Still exactly one window: the writer is blocked, nothing more arrives.
    assertThat(written.get()).isEqualTo(WINDOW);
    assertThat(remote.buffered()).isEqualTo(WINDOW);
    assertThat(writer.isDone()).isFalse();

    assertThat(remote.in().readAllBytes()).hasSize(4 * WINDOW);
    writer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aWriterBlockedOnTheWindowTimesOut() throws Exception {
    YamuxConfig config =
        YamuxConfig.defaults().with(YamuxConfig::writeTimeout, Duration.ofMillis(200));
    Pair p = pair(config, null);
    YamuxStream stream = p.client().openStream();
    assertThatThrownBy(() -> stream.out().write(new byte[WINDOW + 1]))
        .isInstanceOf(InterruptedIOException.class);
    assertThat(p.client().isOpen()).isTrue();
  }

  @Test
  void dataBeyondTheWindowFromAPeerClosesTheConnectionWithFlowControl() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    peer.sendData(1, 0, new byte[200 * 1024]);
    // Accepted before the violation: a handler thread that starts after the session closed finds
    // the stream aborted and is never given it.
    YamuxStream stream = take(peer.accepted);
    // 200 KiB + 100 KiB > 256 KiB: refused before the payload is read.
    peer.send(YamuxFrame.data(1, 0, 100 * 1024));
    YamuxFrame goAway = peer.next(f -> f.type() == YamuxFrame.TYPE_GO_AWAY);
    assertThat(goAway).isNotNull();
    assertThat(goAway.length()).isEqualTo(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    Await.until(() -> !peer.session().isOpen(), WAIT, "session closed");
    assertProtocolError(peer.session(), Reason.FLOW_CONTROL);
    assertThatThrownBy(() -> stream.in().readAllBytes()).isInstanceOf(IOException.class);
  }

  @Test
  void windowUpdatesLetAPeerSendMoreThanTheInitialWindow() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET.withMaxReceiveWindow(WINDOW));
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    peer.sendData(1, 0, new byte[WINDOW]);
    YamuxStream stream = take(peer.accepted);
    assertThat(stream.in().readNBytes(WINDOW / 2)).hasSize(WINDOW / 2);
    YamuxFrame update = peer.next(f -> f.type() == YamuxFrame.TYPE_WINDOW_UPDATE && f.length() > 0);
    assertThat(update.length()).isEqualTo(WINDOW / 2);
    peer.sendData(1, YamuxFrame.FLAG_FIN, new byte[WINDOW / 2]);
    assertThat(stream.in().readAllBytes()).hasSize(WINDOW);
    assertThat(peer.session().isOpen()).isTrue();
  }

  // ---- limits and protocol errors ----

  @Test
  void streamsBeyondTheInboundLimitAreResetWhileOthersWork() throws Exception {
    Pair p =
        pair(
            YamuxConfig.defaults().with(YamuxConfig::maxInboundStreams, 4), YamuxSessionTest::echo);
    List<YamuxStream> open = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      YamuxStream s = p.client().openStream();
      s.out().write(i);
      assertThat(s.in().read()).isEqualTo(i);
      open.add(s);
    }
    YamuxStream refused = p.client().openStream();
    // The RST may arrive before our write or after it: one of the two fails.
    assertThat(
            fails(
                () -> {
                  refused.out().write(9);
                  refused.in().read();
                }))
        .isTrue();
    for (int i = 0; i < 4; i++) {
      open.get(i).out().write(10 + i);
      assertThat(open.get(i).in().read()).isEqualTo(10 + i);
    }
    open.get(0).closeWrite();
    assertThat(open.get(0).in().read()).isEqualTo(-1);
    Await.until(() -> p.server().streamCount() == 3, WAIT, "a slot freed");
    YamuxStream again = p.client().openStream();
    again.out().write(42);
    assertThat(again.in().read()).isEqualTo(42);
    assertThat(p.client().isOpen()).isTrue();
    assertThat(p.server().isOpen()).isTrue();
  }

  @Test
  void aSynWithOurParityIsAConnectionError() throws Exception {
    RawPeer peer = sessions.crafted(true, QUIET); // we are client: inbound must be even
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    assertThat(peer.next(f -> f.type() == YamuxFrame.TYPE_GO_AWAY).length())
        .isEqualTo(YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    Await.until(() -> !peer.session().isOpen(), WAIT, "session closed");
    assertProtocolError(peer.session(), Reason.UNEXPECTED);
  }

  @Test
  void aDuplicateSynForALiveStreamIsAConnectionError() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.send(YamuxFrame.windowUpdate(3, YamuxFrame.FLAG_SYN, 0));
    peer.send(YamuxFrame.windowUpdate(3, YamuxFrame.FLAG_SYN, 0));
    Await.until(() -> !peer.session().isOpen(), WAIT, "session closed");
    assertProtocolError(peer.session(), Reason.UNEXPECTED);
  }

  @Test
  void framesForUnknownStreamsAreDroppedQuietly() throws Exception {
    RawPeer peer = sessions.crafted(false, QUIET);
    peer.sendData(7, 0, new byte[1000]);
    peer.send(YamuxFrame.windowUpdate(9, YamuxFrame.FLAG_ACK, 5000));
    peer.sendData(11, YamuxFrame.FLAG_FIN | YamuxFrame.FLAG_RST, new byte[10]);
    peer.send(YamuxFrame.ping(YamuxFrame.FLAG_ACK, 12345)); // unsolicited: ignored
    peer.send(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 77));
    YamuxFrame pong = peer.next(f -> f.type() == YamuxFrame.TYPE_PING);
    assertThat(pong.flags()).isEqualTo(YamuxFrame.FLAG_ACK);
    assertThat(pong.length()).isEqualTo(77);
    assertThat(peer.session().isOpen()).isTrue();
    assertThat(peer.session().streamCount()).isZero();
  }

  @Test
  void anAckBacklogBlocksTheOpenerUntilTheRemoteAcknowledges() throws Exception {
    YamuxConfig config =
        QUIET
            .with(YamuxConfig::ackBacklog, 2)
            .with(YamuxConfig::openTimeout, Duration.ofMillis(200));
    RawPeer peer = sessions.crafted(true, config);
    YamuxStream first = peer.session().openStream();
    peer.session().openStream();
    assertThatThrownBy(() -> peer.session().openStream())
        .isInstanceOf(InterruptedIOException.class);
    assertThat(peer.next().has(YamuxFrame.FLAG_SYN)).isTrue();
    peer.send(YamuxFrame.windowUpdate(first.id(), YamuxFrame.FLAG_ACK, 0));
    Await.until(
        () -> {
          try {
            peer.session().openStream();
            return true;
          } catch (IOException e) {
            return false;
          }
        },
        WAIT,
        "open after ACK");
  }

  // ---- ping, keep-alive, GoAway, close ----

  @Test
  void measuresPingRoundTrips() throws Exception {
    Pair p = pair();
    Duration rtt = p.client().ping(WAIT);
    assertThat(rtt).isPositive().isLessThan(WAIT);
    assertThat(p.server().ping(WAIT)).isPositive();
    assertThat(p.client().rtt()).isPositive();
  }

  @Test
  void anUnansweredKeepAliveClosesTheSession() throws Exception {
    YamuxConfig config =
        YamuxConfig.defaults().withKeepAlive(Duration.ofMillis(100), Duration.ofMillis(200));
    RawPeer peer = sessions.crafted(true, config);
    assertThat(peer.next().type()).isEqualTo(YamuxFrame.TYPE_PING);
    Await.until(() -> !peer.session().isOpen(), WAIT, "keep-alive timeout");
    assertProtocolError(peer.session(), Reason.TIMEOUT);
  }

  /**
   * Watches three ping timeouts long: a session that closed on the first timeout despite the
   * answers (a keep-alive never cleared once answered) would be caught.
   */
  @Test
  void answeredKeepAlivesKeepAnIdleSessionOpen() throws Exception {
    Duration pingTimeout = Duration.ofMillis(500);
    YamuxConfig config = YamuxConfig.defaults().withKeepAlive(Duration.ofMillis(20), pingTimeout);
    Pair p = pair(config, null);
    Await.until(
        () -> p.client().rtt().isPositive() && p.server().rtt().isPositive(),
        WAIT,
        "pings answered");
    long deadline = System.nanoTime() + pingTimeout.multipliedBy(3).toNanos();
    Await.until(
        () -> System.nanoTime() > deadline || !p.client().isOpen() || !p.server().isOpen(),
        WAIT,
        "three ping timeouts pass");
    assertThat(p.client().isOpen()).isTrue();
    assertThat(p.server().isOpen()).isTrue();
  }

  @Test
  void afterGoAwayNoNewStreamsButExistingOnesFinish() throws Exception {
    Pair p = pair(YamuxConfig.defaults(), YamuxSessionTest::echo);
    YamuxStream existing = p.client().openStream();
    existing.out().write(1);
    assertThat(existing.in().read()).isEqualTo(1);

    p.server().goAway();
    assertThatThrownBy(() -> p.server().openStream()).isInstanceOf(IOException.class);
    Await.until(
        () -> {
          try {
            p.client().openStream().reset();
            return false;
          } catch (IOException e) {
            return true;
          }
        },
        WAIT,
        "client refuses to open after GoAway");
    existing.out().write(2);
    assertThat(existing.in().read()).isEqualTo(2);
    existing.closeWrite();
    assertThat(existing.in().read()).isEqualTo(-1);
    assertThat(p.client().isOpen()).isTrue();
  }

  @Test
  void closeWakesEverythingEndsThreadsAndCallsOnCloseOnce() throws Exception {
    AtomicReference<Thread> handlerThread = new AtomicReference<>();
    BlockingQueue<YamuxStream> atServer = new LinkedBlockingQueue<>();
    Pair p =
        pair(
            YamuxConfig.defaults(),
            s -> {
              handlerThread.set(Thread.currentThread());
              atServer.add(s);
              try {
                // Blocks until the session ends: the client never reads all of this, nor writes.
                s.out().write(new byte[4 * WINDOW]);
                s.in().read();
              } catch (IOException expected) {
                // the session closed under us
              }
            });
    AtomicInteger clientClosed = new AtomicInteger();
    AtomicInteger serverClosed = new AtomicInteger();
    p.client().onClose(clientClosed::incrementAndGet);
    p.server().onClose(serverClosed::incrementAndGet);

    YamuxStream reading = p.client().openStream();
    YamuxStream writing = p.client().openStream();
    YamuxStream first = take(atServer);
    YamuxStream second = take(atServer);
    YamuxStream writingAtServer = first.id() == writing.id() ? first : second;
    Future<?> reader = sessions.threads.submit(() -> reading.in().readNBytes(10 * WINDOW));
    Future<?> writer =
        sessions.threads.submit(
            () -> {
              writing.out().write(new byte[2 * WINDOW]);
              return null;
            });
    Future<?> ping = sessions.threads.submit(() -> p.client().ping(Duration.ofSeconds(20)));
    Await.until(() -> p.server().streamCount() == 2, WAIT, "streams accepted");
    // Close only once the writer is stuck: the server holds a whole window of its data and never
    // reads it, so no window update can come. Closing earlier raced with the write: it could be
    // blocked, still sending its first window, or not started yet.
    Await.until(() -> writingAtServer.buffered() == WINDOW, WAIT, "writer used up its window");
    assertThat(writer).isNotDone();

    p.client().close();
    assertFailsWithIo(reader);
    assertFailsWithIo(writer);
    assertThat(p.client().isOpen()).isFalse();
    assertThat(p.client().closeCause()).isNull();
    Await.until(() -> !p.server().isOpen(), WAIT, "remote session ends too");
    assertThat(p.server().closeCause()).isInstanceOf(IOException.class);
    try {
      ping.get(10, TimeUnit.SECONDS); // answered before the close, or failed by it
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IOException.class);
    }
    p.client().close();
    assertThat(clientClosed.get()).isEqualTo(1);
    // isOpen() turns false before the callbacks run, on the remote's reader thread.
    Await.until(() -> serverClosed.get() == 1, WAIT, "server onClose");
    AtomicInteger late = new AtomicInteger();
    p.client().onClose(late::incrementAndGet);
    assertThat(late.get()).isEqualTo(1);

    assertThatThrownBy(() -> p.client().openStream()).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> p.client().ping(WAIT)).isInstanceOf(IOException.class);
    for (Thread t :
        List.of(
            p.client().readerThread(),
            p.client().controlThread(),
            p.server().readerThread(),
            p.server().controlThread(),
            handlerThread.get())) {
      Await.until(() -> !t.isAlive(), WAIT, t.getName() + " ended");
    }
  }

  // ---- assertions ----

  private interface IoAction {
    void run() throws IOException;
  }

  private static boolean fails(IoAction action) {
    try {
      action.run();
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static void assertFailsWithIo(Future<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected an IOException");
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IOException.class);
    }
  }

  private static void assertProtocolError(YamuxSession session, Reason reason) {
    assertThat(session.closeCause())
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void framesThatArriveTogetherWakeTheStreamsReaderOnce() throws Exception {
    // Two Data frames of one inbound stream arrive in one piece (the layer below says they are
    // available), then nothing more: the stream's reader is woken once, after both.
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    byte[] payload = new byte[200];
    new Random(4).nextBytes(payload);
    wire.write(YamuxCodec.encode(YamuxFrame.data(1, YamuxFrame.FLAG_SYN, 100)));
    wire.write(payload, 0, 100);
    wire.write(YamuxCodec.encode(YamuxFrame.data(1, 0, 100)));
    wire.write(payload, 100, 100);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    InputStream nothingMore =
        new InputStream() {
          @Override
          public int read() throws IOException {
            blocked.countDown();
            try {
              end.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return -1;
          }
        };
    ScriptedDuplex conn =
        new ScriptedDuplex(
            new SequenceInputStream(new ByteArrayInputStream(wire.toByteArray()), nothingMore));
    BlockingQueue<YamuxStream> accepted = new LinkedBlockingQueue<>();
    YamuxSession s = YamuxSession.start(conn, false, YamuxConfig.defaults(), accepted::add, "t");
    try {
      YamuxStream stream = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(stream).isNotNull();
      assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(stream.buffered()).isEqualTo(200);
      assertThat(s.readerWakes()).isEqualTo(1);
      assertThat(stream.in().readNBytes(200)).isEqualTo(payload);
    } finally {
      end.countDown();
      s.close();
    }
  }

  @Test
  void onAConnectionThatSaysWhenAReadWouldWaitReadersWakeThenOrPerHalfWindow() throws Exception {
    // Three 64 KiB Data frames arrive, then the connection would wait. The reader is woken once
    // half a window (128 KiB) is waiting for it, and again when the connection would wait; not
    // after every frame, and not only at the end.
    int frame = 64 * 1024;
    byte[] payload = new byte[3 * frame];
    new Random(5).nextBytes(payload);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      int flags = i == 0 ? YamuxFrame.FLAG_SYN : 0;
      wire.write(YamuxCodec.encode(YamuxFrame.data(1, flags, frame)));
      wire.write(payload, i * frame, frame);
    }
    AtomicReference<Runnable> hook = new AtomicReference<>();
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    InputStream wouldWait =
        new InputStream() {
          @Override
          public int read() throws IOException {
            hook.get().run(); // what SocketInput does before a read that would wait
            blocked.countDown();
            try {
              end.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return -1;
          }
        };
    ScriptedDuplex script =
        new ScriptedDuplex(
            new SequenceInputStream(new ByteArrayInputStream(wire.toByteArray()), wouldWait));
    dev.cairn.p2p.transport.Duplex conn =
        new dev.cairn.p2p.transport.Duplex() {
          @Override
          public InputStream in() {
            return script.in();
          }

          @Override
          public java.io.OutputStream out() {
            return script.out();
          }

          @Override
          public boolean whenReadWouldBlock(Runnable h) {
            hook.set(h);
            return true;
          }

          @Override
          public void close() throws IOException {
            script.close();
          }
        };
    BlockingQueue<YamuxStream> accepted = new LinkedBlockingQueue<>();
    YamuxSession s = YamuxSession.start(conn, false, YamuxConfig.defaults(), accepted::add, "t");
    try {
      YamuxStream stream = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(stream).isNotNull();
      assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(stream.buffered()).isEqualTo(payload.length);
      assertThat(s.readerWakes()).as("after 128 KiB, then before waiting").isEqualTo(2);
      assertThat(stream.in().readNBytes(payload.length)).isEqualTo(payload);
    } finally {
      end.countDown();
      s.close();
    }
  }
}
