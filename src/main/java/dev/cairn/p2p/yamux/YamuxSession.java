package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.transport.Duplex;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A yamux session over one connection: many {@link YamuxStream}s over one {@link Duplex}.
 *
 * <p>Threads and what they own:
 *
 * <ul>
 *   <li>{@code yamux-read-<label>} (virtual) is the only reader of the connection. It loops: read a
 *       header, bound it, read the body straight into the stream's buffer, dispatch on the type. It
 *       creates inbound streams and is the only producer of received data, send credit and remote
 *       FIN/RST. It never writes to the connection itself: answers it must send (ping ACK, RST of a
 *       refused stream) go through a bounded control queue, so two sessions that both have full
 *       send buffers can never deadlock on each other's readers.
 *   <li>{@code yamux-ctl-<label>} (virtual) writes the control queue's frames and runs keep-alive:
 *       a ping when nothing was received for {@link YamuxConfig#keepAliveInterval()}, and closes
 *       the session if that ping is not answered within {@link YamuxConfig#pingTimeout()}.
 *   <li>{@code yamux-stream-<label>-<id>} (virtual), one per accepted inbound stream, sends the ACK
 *       and runs the inbound handler. The handler owns the stream: it closes or resets it.
 *   <li>Any application thread writes: every frame is written whole under one per-session {@link
 *       ReentrantLock} (header and payload, then flush), taken with {@link
 *       YamuxConfig#writeTimeout()}. We chose a lock over a writer thread: the writer does the I/O
 *       itself, with no queue hop and no context switch per write, and back-pressure from the
 *       connection reaches the writing thread directly.
 * </ul>
 *
 * <p>The session ends (once) on {@link #close()}, on the remote closing the connection, on an I/O
 * error, on a protocol violation (we send GoAway with the protocol-error code) or on a keep-alive
 * timeout. Ending closes the connection, fails every stream and blocked caller with an {@link
 * IOException}, and runs the {@link #onClose} callbacks.
 */
public final class YamuxSession implements Closeable {

  private static final Logger LOG = LogManager.getLogger();

  /** Control frames queued by the reader; a peer that fills it is flooding us. */
  private static final int CONTROL_QUEUE_CAPACITY = 1024;

  /** Pings one session may have outstanding at once. */
  private static final int MAX_OUTSTANDING_PINGS = 64;

  /** Payloads up to this size are copied behind the header and written in one call. */
  private static final int COALESCE_LIMIT = 8192;

  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  private static final YamuxFrame WAKE = YamuxFrame.goAway(YamuxFrame.GO_AWAY_NORMAL);

  private final Duplex conn;
  private final InputStream in;
  private final OutputStream out;
  private final boolean client;
  private final YamuxConfig config;
  private final Consumer<YamuxStream> inboundHandler;
  private final String label;

  private final Map<Integer, YamuxStream> streams = new ConcurrentHashMap<>();
  private final BlockingQueue<YamuxFrame> control =
      new ArrayBlockingQueue<>(CONTROL_QUEUE_CAPACITY);
  private final Map<Integer, PendingPing> pings = new ConcurrentHashMap<>();
  private final AtomicInteger nextPingId = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final ReentrantLock writeLock = new ReentrantLock();
  private final byte[] writeBuffer = new byte[YamuxFrame.HEADER_LENGTH + COALESCE_LIMIT];

  private final ReentrantLock stateLock = new ReentrantLock();
  private final Condition backlogChanged = stateLock.newCondition();
  // Guarded by stateLock.
  private long nextStreamId;
  private int backlog;
  private int inboundCount;
  private boolean callbacksFired;
  private final List<Runnable> closeCallbacks = new ArrayList<>();

  private volatile boolean localGoAway;
  private volatile boolean remoteGoAway;
  private volatile Throwable closeCause;
  private volatile long lastReadNanos = System.nanoTime();
  private volatile long rttNanos;

  private Thread reader;
  private Thread controller;

  private record PendingPing(long sentNanos, CompletableFuture<Duration> reply) {}

  private YamuxSession(
      Duplex conn,
      boolean client,
      YamuxConfig config,
      Consumer<YamuxStream> inboundHandler,
      String label) {
    this.conn = Objects.requireNonNull(conn, "conn");
    this.in = conn.in();
    this.out = conn.out();
    this.client = client;
    this.config = Objects.requireNonNull(config, "config");
    this.inboundHandler = Objects.requireNonNull(inboundHandler, "inboundHandler");
    this.label = Objects.requireNonNull(label, "label");
    this.nextStreamId = client ? 1 : 2;
  }

  /**
   * Starts a session over {@code conn} and its reader and control threads.
   *
   * @param client true on the connection's dialer (odd stream ids), false on its listener (even)
   * @param inboundHandler runs on its own virtual thread for each accepted inbound stream
   * @param label names the threads and log lines, typically the remote's short peer id
   */
  public static YamuxSession start(
      Duplex conn,
      boolean client,
      YamuxConfig config,
      Consumer<YamuxStream> inboundHandler,
      String label) {
    YamuxSession session = new YamuxSession(conn, client, config, inboundHandler, label);
    session.reader = Thread.ofVirtual().name("yamux-read-" + label).start(session::readLoop);
    session.controller = Thread.ofVirtual().name("yamux-ctl-" + label).start(session::controlLoop);
    return session;
  }

  /** Whether we are the connection's dialer (odd stream ids). */
  public boolean client() {
    return client;
  }

  /** Whether the session has not ended yet. */
  public boolean isOpen() {
    return !closed.get();
  }

  /**
   * Why the session ended: {@code null} while open or after a local {@link #close()}; an {@link
   * EOFException} if the remote closed the connection; a {@link ProtocolException} for a violation
   * by the remote (TIMEOUT for an unanswered keep-alive); another {@link IOException} for an I/O
   * failure.
   */
  public Throwable closeCause() {
    return closeCause;
  }

  /** Streams currently in the session's table (open, half-closed, or closed but not yet FINed). */
  public int streamCount() {
    return streams.size();
  }

  /** The latest measured ping round trip, or {@link Duration#ZERO} before the first one. */
  public Duration rtt() {
    return Duration.ofNanos(rttNanos);
  }

  /**
   * Runs {@code callback} once when the session ends, for whatever reason, on the thread that ended
   * it; at once on this thread if it has already ended.
   */
  public void onClose(Runnable callback) {
    stateLock.lock();
    try {
      if (!callbacksFired) {
        closeCallbacks.add(callback);
        return;
      }
    } finally {
      stateLock.unlock();
    }
    runCallback(callback);
  }

  /**
   * Opens a stream: sends WindowUpdate+SYN at once; data may be written before the ACK. Blocks up
   * to {@link YamuxConfig#openTimeout()} while {@link YamuxConfig#ackBacklog()} streams await their
   * ACK.
   *
   * @throws IOException if the session is closed or went away, the backlog stayed full, or the
   *     stream ids are exhausted
   */
  public YamuxStream openStream() throws IOException {
    int id;
    stateLock.lock();
    try {
      long remaining = config.openTimeout().toNanos();
      while (true) {
        checkCanOpen();
        if (backlog < config.ackBacklog()) {
          break;
        }
        if (remaining <= 0) {
          throw new InterruptedIOException(
              "yamux " + label + ": " + backlog + " streams await their ACK; open timed out");
        }
        try {
          remaining = backlogChanged.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while opening a yamux stream");
        }
      }
      if (nextStreamId > MAX_STREAM_ID) {
        throw new IOException("yamux " + label + ": stream ids exhausted");
      }
      id = (int) nextStreamId;
      nextStreamId += 2;
      backlog++;
    } finally {
      stateLock.unlock();
    }
    YamuxStream stream = new YamuxStream(this, id, true, config);
    streams.put(id, stream);
    if (closed.get()) {
      removeStream(stream);
      throw closedException();
    }
    try {
      writeHeader(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, id, 0);
    } catch (IOException e) {
      removeStream(stream);
      throw e;
    }
    return stream;
  }

  private void checkCanOpen() throws IOException {
    if (closed.get()) {
      throw closedException();
    }
    if (remoteGoAway) {
      throw new IOException("yamux " + label + ": remote sent GoAway, no new streams");
    }
    if (localGoAway) {
      throw new IOException("yamux " + label + ": we sent GoAway, no new streams");
    }
  }

  /**
   * Measures the round trip of a yamux ping.
   *
   * @throws InterruptedIOException if no answer came within {@code timeout} (the session stays
   *     open; keep-alive decides about that)
   */
  public Duration ping(Duration timeout) throws IOException {
    if (closed.get()) {
      throw closedException();
    }
    if (pings.size() >= MAX_OUTSTANDING_PINGS) {
      throw new IOException("yamux " + label + ": too many pings outstanding");
    }
    int opaque = nextPingId.incrementAndGet();
    PendingPing pending = new PendingPing(System.nanoTime(), new CompletableFuture<>());
    pings.put(opaque, pending);
    try {
      if (closed.get()) {
        throw closedException();
      }
      writeHeader(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, Integer.toUnsignedLong(opaque));
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

  /**
   * Sends GoAway (normal): from now on neither side opens new streams (inbound SYNs get RST);
   * existing streams finish normally. Failures end the session and are reported through {@link
   * #closeCause()}.
   */
  public void goAway() {
    localGoAway = true;
    signalBacklog();
    writeQuietly(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL);
  }

  /**
   * Ends the session: sends GoAway (normal) if the connection takes it within a short time, closes
   * the connection, and fails every stream and blocked caller with an {@link IOException}.
   * Idempotent.
   */
  @Override
  public void close() {
    shutdown(null, YamuxFrame.GO_AWAY_NORMAL);
  }

  @Override
  public String toString() {
    return "YamuxSession[" + label + (client ? " client" : " server") + "]";
  }

  // ---- reader thread ----

  private void readLoop() {
    byte[] header = new byte[YamuxFrame.HEADER_LENGTH];
    try {
      while (!closed.get()) {
        YamuxFrame frame = YamuxCodec.read(in, header);
        if (frame == null) {
          shutdown(new EOFException("yamux " + label + ": connection closed by remote"), -1);
          return;
        }
        lastReadNanos = System.nanoTime();
        switch (frame.type()) {
          case YamuxFrame.TYPE_DATA -> onData(frame);
          case YamuxFrame.TYPE_WINDOW_UPDATE -> onWindowUpdate(frame);
          case YamuxFrame.TYPE_PING -> onPing(frame);
          case YamuxFrame.TYPE_GO_AWAY -> onGoAway(frame);
          default -> throw new IllegalStateException("codec passed frame type " + frame.type());
        }
      }
    } catch (ProtocolException e) {
      LOG.debug("yamux {}: peer violated the protocol, closing: {}", label, e.getMessage());
      shutdown(e, YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    } catch (IOException e) {
      if (isOpen()) {
        LOG.trace("yamux {}: connection failed: {}", label, e.toString());
      }
      shutdown(e, -1);
    } catch (RuntimeException | Error e) {
      LOG.error("yamux {}: reader failed", label, e);
      shutdown(e, YamuxFrame.GO_AWAY_INTERNAL_ERROR);
      if (e instanceof Error error) {
        throw error;
      }
    }
  }

  private void onData(YamuxFrame frame) throws IOException, ProtocolException {
    YamuxStream stream;
    if (frame.has(YamuxFrame.FLAG_SYN)) {
      stream = acceptInbound(frame);
      if (stream == null) {
        checkedSkip(frame, YamuxConfig.INITIAL_WINDOW);
        return;
      }
    } else {
      stream = streams.get(frame.streamId());
      if (stream == null) {
        // A frame for a stream that is gone (closed, reset, refused): drop it, bounded.
        checkedSkip(frame, config.maxReceiveWindow());
        return;
      }
    }
    stream.receiveData(frame, in);
    applyFlags(stream, frame);
  }

  private void onWindowUpdate(YamuxFrame frame) throws ProtocolException {
    YamuxStream stream =
        frame.has(YamuxFrame.FLAG_SYN) ? acceptInbound(frame) : streams.get(frame.streamId());
    if (stream == null) {
      return;
    }
    if (frame.length() > 0) {
      stream.addSendWindow(frame.length());
    }
    applyFlags(stream, frame);
  }

  private void applyFlags(YamuxStream stream, YamuxFrame frame) {
    if (frame.has(YamuxFrame.FLAG_ACK) && stream.acknowledged()) {
      backlogDone();
    }
    if (frame.has(YamuxFrame.FLAG_FIN)) {
      stream.remoteFin();
    }
    if (frame.has(YamuxFrame.FLAG_RST)) {
      stream.remoteReset();
    }
  }

  /** A SYN: returns the new stream, or null if we refused it with RST. */
  private YamuxStream acceptInbound(YamuxFrame frame) throws ProtocolException {
    int id = frame.streamId();
    if (id == 0) {
      throw ProtocolException.connection(Reason.MALFORMED, "SYN on the session id 0");
    }
    boolean remoteIsClient = !client;
    if (((id & 1) == 1) != remoteIsClient) {
      throw ProtocolException.connection(
          Reason.UNEXPECTED,
          "inbound stream id "
              + frame.unsignedStreamId()
              + " has our parity: both endpoints act as "
              + (client ? "client" : "server"));
    }
    if (streams.containsKey(id)) {
      throw ProtocolException.connection(
          Reason.UNEXPECTED, "SYN for live stream " + frame.unsignedStreamId());
    }
    boolean accept;
    stateLock.lock();
    try {
      accept = !localGoAway && inboundCount < config.maxInboundStreams();
      if (accept) {
        inboundCount++;
      }
    } finally {
      stateLock.unlock();
    }
    if (!accept) {
      LOG.debug(
          "yamux {}: refusing inbound stream {} ({})",
          label,
          frame.unsignedStreamId(),
          localGoAway ? "going away" : "limit " + config.maxInboundStreams());
      enqueueControl(YamuxFrame.windowUpdate(id, YamuxFrame.FLAG_RST, 0));
      return null;
    }
    YamuxStream stream = new YamuxStream(this, id, false, config);
    streams.put(id, stream);
    if (closed.get()) {
      stream.abort(closedException());
      removeStream(stream);
      return stream;
    }
    Thread.ofVirtual()
        .name("yamux-stream-" + label + "-" + frame.unsignedStreamId())
        .start(() -> runHandler(stream));
    return stream;
  }

  private void runHandler(YamuxStream stream) {
    try {
      stream.acknowledge();
      inboundHandler.accept(stream);
    } catch (IOException e) {
      LOG.trace("yamux {}: inbound {} failed: {}", label, stream, e.toString());
      stream.reset();
    } catch (RuntimeException e) {
      LOG.error("yamux {}: inbound handler failed on {}", label, stream, e);
      stream.reset();
    }
  }

  private void onPing(YamuxFrame frame) throws ProtocolException {
    int opaque = (int) frame.length();
    if (frame.has(YamuxFrame.FLAG_SYN)) {
      enqueueControl(YamuxFrame.ping(YamuxFrame.FLAG_ACK, opaque));
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

  private void onGoAway(YamuxFrame frame) {
    remoteGoAway = true;
    LOG.debug("yamux {}: remote sent GoAway code {}", label, frame.length());
    signalBacklog();
  }

  private void checkedSkip(YamuxFrame frame, long bound) throws IOException, ProtocolException {
    YamuxCodec.checkData(frame, bound);
    skip(frame.length());
  }

  private final byte[] skipBuffer = new byte[8192];

  /** Reads and drops {@code len} payload bytes (reader thread only; len already bounded). */
  void skip(long len) throws IOException, ProtocolException {
    while (len > 0) {
      int n = (int) Math.min(len, skipBuffer.length);
      readFully(in, skipBuffer, 0, n);
      len -= n;
    }
  }

  static void readFully(InputStream src, byte[] dst, int off, int len)
      throws IOException, ProtocolException {
    int n = src.readNBytes(dst, off, len);
    if (n < len) {
      throw ProtocolException.connection(Reason.TRUNCATED, "connection ended inside a data frame");
    }
  }

  /** Queues a frame for the control thread; a peer that fills the queue is flooding us. */
  void enqueueControl(YamuxFrame frame) throws ProtocolException {
    if (!control.offer(frame)) {
      throw ProtocolException.connection(
          Reason.LIMIT_EXCEEDED, "peer provokes answers faster than it reads them");
    }
  }

  // ---- control thread ----

  private void controlLoop() {
    long interval = config.keepAliveInterval().toNanos();
    long timeout = config.pingTimeout().toNanos();
    long tick = interval == 0 ? 0 : Math.max(1_000_000, Math.min(interval, timeout) / 4);
    int keepAlive = 0;
    PendingPing keepAlivePing = null;
    try {
      while (!closed.get()) {
        if (interval > 0) {
          long now = System.nanoTime();
          if (keepAlivePing != null) {
            if (keepAlivePing.reply().isDone()) {
              keepAlivePing = null;
            } else if (now - keepAlivePing.sentNanos() > timeout) {
              pings.remove(keepAlive);
              shutdown(
                  ProtocolException.connection(
                      Reason.TIMEOUT,
                      "keep-alive ping not answered within " + config.pingTimeout()),
                  -1);
              return;
            }
          }
          // The first ping goes out at once, to learn the RTT for window auto-tuning.
          if (keepAlivePing == null && (keepAlive == 0 || now - lastReadNanos >= interval)) {
            keepAlive = nextPingId.incrementAndGet();
            keepAlivePing = new PendingPing(System.nanoTime(), new CompletableFuture<>());
            pings.put(keepAlive, keepAlivePing);
            writeHeader(
                YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, Integer.toUnsignedLong(keepAlive));
          }
        }
        YamuxFrame frame = tick == 0 ? control.take() : control.poll(tick, TimeUnit.NANOSECONDS);
        while (frame != null && frame != WAKE && !closed.get()) {
          writeHeader(frame.type(), frame.flags(), frame.streamId(), frame.length());
          frame = control.poll();
        }
      }
    } catch (IOException e) {
      shutdown(e, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- writing (any thread) ----

  /**
   * Writes one Data frame: header and payload, then flushes unless {@code flush} is false (the
   * caller writes the next frame of the same write at once; flushing in between would cost a short
   * encrypted message and a system call per frame).
   */
  void writeData(int id, int flags, byte[] b, int off, int len, boolean flush) throws IOException {
    lockForWrite();
    try {
      YamuxCodec.encode(writeBuffer, 0, YamuxFrame.TYPE_DATA, flags, id, len);
      if (len <= COALESCE_LIMIT) {
        System.arraycopy(b, off, writeBuffer, YamuxFrame.HEADER_LENGTH, len);
        out.write(writeBuffer, 0, YamuxFrame.HEADER_LENGTH + len);
      } else {
        out.write(writeBuffer, 0, YamuxFrame.HEADER_LENGTH);
        out.write(b, off, len);
      }
      if (flush) {
        out.flush();
      }
    } catch (IOException e) {
      shutdown(e, -1);
      throw e;
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes one frame without payload (WindowUpdate, Ping, GoAway), then flush. */
  void writeHeader(int type, int flags, int id, long length) throws IOException {
    lockForWrite();
    try {
      YamuxCodec.encode(writeBuffer, 0, type, flags, id, length);
      out.write(writeBuffer, 0, YamuxFrame.HEADER_LENGTH);
      out.flush();
    } catch (IOException e) {
      shutdown(e, -1);
      throw e;
    } finally {
      writeLock.unlock();
    }
  }

  /** As {@link #writeHeader}; a failure has already ended the session, so it is only traced. */
  void writeQuietly(int type, int flags, int id, long length) {
    try {
      writeHeader(type, flags, id, length);
    } catch (IOException e) {
      LOG.trace("yamux {}: could not send frame type {}: {}", label, type, e.toString());
    }
  }

  private void lockForWrite() throws IOException {
    if (closed.get()) {
      throw closedException();
    }
    try {
      if (!writeLock.tryLock(config.writeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        // Someone is stuck inside a write: the connection no longer drains.
        InterruptedIOException stuck =
            new InterruptedIOException(
                "yamux " + label + ": connection not writable within " + config.writeTimeout());
        shutdown(stuck, -1);
        throw stuck;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to write");
    }
    if (closed.get()) {
      writeLock.unlock();
      throw closedException();
    }
  }

  // ---- stream table ----

  long rttNanos() {
    return rttNanos;
  }

  /** Takes a stream out of the table (once it is fully closed or reset) and out of the counts. */
  void removeStream(YamuxStream stream) {
    if (!streams.remove(stream.id(), stream)) {
      return;
    }
    boolean wasPending = stream.outbound() && stream.acknowledged();
    stateLock.lock();
    try {
      if (!stream.outbound()) {
        inboundCount--;
      } else if (wasPending) {
        backlog--;
        backlogChanged.signalAll();
      }
    } finally {
      stateLock.unlock();
    }
  }

  private void backlogDone() {
    stateLock.lock();
    try {
      backlog--;
      backlogChanged.signalAll();
    } finally {
      stateLock.unlock();
    }
  }

  private void signalBacklog() {
    stateLock.lock();
    try {
      backlogChanged.signalAll();
    } finally {
      stateLock.unlock();
    }
  }

  private IOException closedException() {
    Throwable cause = closeCause;
    return cause == null
        ? new IOException("yamux session " + label + " closed")
        : new IOException("yamux session " + label + " closed: " + cause.getMessage(), cause);
  }

  // ---- ending ----

  private void shutdown(Throwable cause, int goAwayCode) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeCause = cause;
    IOException streamFailure = closedException();
    for (YamuxStream stream : streams.values()) {
      stream.abort(streamFailure);
    }
    streams.clear();
    for (PendingPing pending : pings.values()) {
      pending.reply().completeExceptionally(streamFailure);
    }
    pings.clear();
    stateLock.lock();
    try {
      backlogChanged.signalAll();
    } finally {
      stateLock.unlock();
    }
    control.clear();
    control.offer(WAKE);
    if (goAwayCode >= 0) {
      sendLastGoAway(goAwayCode);
    }
    try {
      conn.close();
    } catch (IOException e) {
      LOG.trace("yamux {}: closing the connection failed: {}", label, e.toString());
    }
    if (cause != null) {
      LOG.debug("yamux {}: session ended: {}", label, cause.toString());
    }
    List<Runnable> callbacks;
    stateLock.lock();
    try {
      callbacksFired = true;
      callbacks = List.copyOf(closeCallbacks);
      closeCallbacks.clear();
    } finally {
      stateLock.unlock();
    }
    callbacks.forEach(this::runCallback);
  }

  /**
   * Best effort, bounded: a helper thread writes the GoAway while we wait at most a short time;
   * closing the connection afterwards wakes it if the connection does not drain.
   */
  private void sendLastGoAway(int code) {
    Duration patience =
        config.writeTimeout().compareTo(Duration.ofSeconds(1)) < 0
            ? config.writeTimeout()
            : Duration.ofSeconds(1);
    Thread helper =
        Thread.ofVirtual()
            .name("yamux-close-" + label)
            .start(
                () -> {
                  try {
                    if (writeLock.tryLock(patience.toNanos(), TimeUnit.NANOSECONDS)) {
                      try {
                        byte[] frame = YamuxCodec.encode(YamuxFrame.goAway(code));
                        out.write(frame);
                        out.flush();
                      } finally {
                        writeLock.unlock();
                      }
                    }
                  } catch (IOException e) {
                    LOG.trace("yamux {}: last GoAway not sent: {}", label, e.toString());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    try {
      helper.join(patience);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runCallback(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.error("yamux {}: close callback failed", label, e);
    }
  }

  // ---- for tests ----

  Thread readerThread() {
    return reader;
  }

  Thread controlThread() {
    return controller;
  }
}
