package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Pings, keep-alive and the control queue. The session's control thread ({@code yamux-ctl-<label>})
 * runs {@link #loop}: it writes the frames the reader queued (ping ACKs, RSTs of refused streams:
 * the reader never writes itself, so two sessions with full send buffers cannot deadlock on each
 * other's readers), sends a keep-alive ping when nothing was received for {@link
 * YamuxConfig#keepAliveInterval()}, and ends the session if that ping is not answered within {@link
 * YamuxConfig#pingTimeout()}.
 */
final class YamuxKeepAlive {
  private static final Logger LOG = LogManager.getLogger();

  /** Control frames queued by the reader; a peer that fills it is flooding us. */
  private static final int CONTROL_QUEUE_CAPACITY = 1024;

  /** Pings one session may have outstanding at once. */
  private static final int MAX_OUTSTANDING_PINGS = 64;

  private static final YamuxFrame WAKE = YamuxFrame.goAway(YamuxFrame.GO_AWAY_NORMAL);

  private record PendingPing(long sentNanos, CompletableFuture<Duration> reply) {}

  private final YamuxSession session;
  private final YamuxWriter writer;
  private final YamuxConfig config;
  private final String label;
  private final BlockingQueue<YamuxFrame> control =
      new ArrayBlockingQueue<>(CONTROL_QUEUE_CAPACITY);
  private final Map<Integer, PendingPing> pings = new ConcurrentHashMap<>();
  private final AtomicInteger nextPingId = new AtomicInteger();
  private volatile long lastReadNanos = System.nanoTime();
  private volatile long rttNanos;

  YamuxKeepAlive(YamuxSession session, YamuxWriter writer, YamuxConfig config, String label) {
    this.session = session;
    this.writer = writer;
    this.config = config;
    this.label = label;
  }

  /** The reader received a frame: the connection is alive. */
  void received() {
    lastReadNanos = System.nanoTime();
  }

  long rttNanos() {
    return rttNanos;
  }

  /** See {@link YamuxSession#ping}. */
  Duration ping(Duration timeout) throws IOException {
    if (!session.isOpen()) {
      throw session.closedException();
    }
    if (pings.size() >= MAX_OUTSTANDING_PINGS) {
      throw new IOException("yamux " + label + ": too many pings outstanding");
    }
    int opaque = nextPingId.incrementAndGet();
    PendingPing pending = new PendingPing(System.nanoTime(), new CompletableFuture<>());
    pings.put(opaque, pending);
    try {
      if (!session.isOpen()) {
        throw session.closedException();
      }
      writer.writeHeader(
          YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, Integer.toUnsignedLong(opaque));
      return pending.reply().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new InterruptedIOException("yamux " + label + ": ping not answered within " + timeout);
    } catch (ExecutionException e) {
      throw new IOException("yamux " + label + ": session closed during ping", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while pinging");
    } finally {
      pings.remove(opaque);
    }
  }

  /** A Ping frame (reader thread): answer a SYN, complete the ping an ACK answers. */
  void onPing(YamuxFrame frame) throws ProtocolException {
    int opaque = (int) frame.length();
    if (frame.has(YamuxFrame.FLAG_SYN)) {
      enqueue(YamuxFrame.ping(YamuxFrame.FLAG_ACK, opaque));
    } else if (frame.has(YamuxFrame.FLAG_ACK)) {
      PendingPing pending = pings.remove(opaque);
      if (pending == null) {
        // Unsolicited or late (timed out) answer: harmless, so we ignore it rather than end the
        // connection over a slow pong.
        LOG.debug("yamux {}: ignoring ping ACK with unknown opaque {}", label, frame.length());
        return;
      }
      long rtt = Math.max(1, System.nanoTime() - pending.sentNanos());
      rttNanos = rtt;
      pending.reply().complete(Duration.ofNanos(rtt));
    }
  }

  /** Queues a frame for the control thread; a peer that fills the queue is flooding us. */
  void enqueue(YamuxFrame frame) throws ProtocolException {
    if (!control.offer(frame)) {
      throw ProtocolException.connection(
          Reason.LIMIT_EXCEEDED, "peer provokes answers faster than it reads them");
    }
  }

  /** The session ended: fails outstanding pings and wakes the control thread. */
  void abort(IOException failure) {
    for (PendingPing pending : pings.values()) {
      pending.reply().completeExceptionally(failure);
    }
    pings.clear();
  }

  /** Wakes the control thread so that it sees the session ended. */
  void wake() {
    control.clear();
    control.offer(WAKE);
  }

  /** The control thread's loop, until the session ends. */
  void loop() {
    long interval = config.keepAliveInterval().toNanos();
    long timeout = config.pingTimeout().toNanos();
    long tick = interval == 0 ? 0 : Math.max(1_000_000, Math.min(interval, timeout) / 4);
    int keepAlive = 0;
    PendingPing keepAlivePing = null;
    try {
      while (session.isOpen()) {
        if (interval > 0) {
          long now = System.nanoTime();
          if (keepAlivePing != null) {
            if (keepAlivePing.reply().isDone()) {
              keepAlivePing = null;
            } else if (now - keepAlivePing.sentNanos() > timeout) {
              pings.remove(keepAlive);
              session.fail(
                  ProtocolException.connection(
                      Reason.TIMEOUT,
                      "keep-alive ping not answered within " + config.pingTimeout()));
              return;
            }
          }
          // The first ping goes out at once, to learn the RTT for window auto-tuning.
          if (keepAlivePing == null && (keepAlive == 0 || now - lastReadNanos >= interval)) {
            keepAlive = nextPingId.incrementAndGet();
            keepAlivePing = new PendingPing(System.nanoTime(), new CompletableFuture<>());
            pings.put(keepAlive, keepAlivePing);
            writer.writeHeader(
                YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, Integer.toUnsignedLong(keepAlive));
          }
        }
        YamuxFrame frame = tick == 0 ? control.take() : control.poll(tick, TimeUnit.NANOSECONDS);
        while (frame != null && frame != WAKE && session.isOpen()) {
          writer.writeHeader(frame.type(), frame.flags(), frame.streamId(), frame.length());
          frame = control.poll();
        }
      }
    } catch (IOException e) {
      session.fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
