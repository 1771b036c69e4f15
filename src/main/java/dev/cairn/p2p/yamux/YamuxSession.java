package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.transport.Duplex;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *   <li>{@code yamux-ctl-<label>} (virtual) writes the control queue's frames and runs keep-alive
 *       ({@link YamuxKeepAlive}): a ping when nothing was received for {@link
 *       YamuxConfig#keepAliveInterval()}, and closes the session if that ping is not answered
 *       within {@link YamuxConfig#pingTimeout()}.
 *   <li>{@code yamux-stream-<label>-<id>} (virtual), one per accepted inbound stream, sends the ACK
 *       and runs the inbound handler. The handler owns the stream: it closes or resets it.
 *   <li>Any application thread writes, through {@link YamuxWriter}: every frame is written whole
 *       under one per-session lock.
 * </ul>
 *
 * <p>The streams and the counts that bound them live in a {@link YamuxStreamTable}.
 *
 * <p>The session ends (once) on {@link #close()}, on the remote closing the connection, on an I/O
 * error, on a protocol violation (we send GoAway with the protocol-error code) or on a keep-alive
 * timeout. Ending closes the connection, fails every stream and blocked caller with an {@link
 * IOException}, and runs the {@link #onClose} callbacks.
 */
public final class YamuxSession implements Closeable {

  private static final Logger LOG = LogManager.getLogger();

  private final Duplex conn;
  private final InputStream in;
  private final boolean client;
  private final YamuxConfig config;
  private final Consumer<YamuxStream> inboundHandler;
  private final String label;
  private final YamuxMemory memory;

  private final AtomicBoolean closed = new AtomicBoolean();
  private final YamuxStreamTable streams;
  private final YamuxWriter writer;
  private final YamuxKeepAlive keepAlive;

  private final ReentrantLock callbackLock = new ReentrantLock();
  // Guarded by callbackLock.
  private boolean callbacksFired;
  private final List<Runnable> closeCallbacks = new ArrayList<>();

  private volatile boolean localGoAway;
  private volatile boolean remoteGoAway;
  private volatile Throwable closeCause;

  private Thread reader;
  private Thread controller;
  // Whether the connection tells us when a read would wait (Duplex#whenReadWouldBlock).
  private boolean hooked;

  /** A session over {@code conn} whose streams are numbered and counted by {@code streams}. */
  private YamuxSession(
      Duplex conn,
      YamuxStreamTable streams,
      YamuxConfig config,
      Consumer<YamuxStream> inboundHandler,
      YamuxMemory memory) {
    this.conn = Objects.requireNonNull(conn, "conn");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.in = conn.in();
    this.streams = streams;
    this.client = streams.client();
    this.config = config;
    this.label = streams.label();
    this.inboundHandler = Objects.requireNonNull(inboundHandler, "inboundHandler");
    this.writer = new YamuxWriter(this, conn.out(), config, label);
    this.keepAlive = new YamuxKeepAlive(this, writer, config, label);
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
    return start(conn, client, config, inboundHandler, label, YamuxMemory.UNLIMITED);
  }

  /**
   * As {@link #start(Duplex, boolean, YamuxConfig, Consumer, String)}, with every stream's receive
   * window reserved from {@code memory}: a stream it refuses is not opened (inbound: RST), and a
   * window only grows by what it grants.
   */
  public static YamuxSession start(
      Duplex conn,
      boolean client,
      YamuxConfig config,
      Consumer<YamuxStream> inboundHandler,
      String label,
      YamuxMemory memory) {
    Objects.requireNonNull(config, "config");
    YamuxStreamTable streams =
        new YamuxStreamTable(client, config, Objects.requireNonNull(label, "label"));
    YamuxSession session = new YamuxSession(conn, streams, config, inboundHandler, memory);
    session.hooked = conn.whenReadWouldBlock(session::wakeReaders);
    session.reader = Thread.ofVirtual().name("yamux-read-" + label).start(session::readLoop);
    session.controller =
        Thread.ofVirtual().name("yamux-ctl-" + label).start(session.keepAlive::loop);
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
    return Duration.ofNanos(keepAlive.rttNanos());
  }

  /**
   * Runs {@code callback} once when the session ends, for whatever reason, on the thread that ended
   * it; at once on this thread if it has already ended.
   */
  public void onClose(Runnable callback) {
    callbackLock.lock();
    try {
      if (!callbacksFired) {
        closeCallbacks.add(callback);
        return;
      }
    } finally {
      callbackLock.unlock();
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
    YamuxMemory.StreamMemory reserved = memory.openStream(false, YamuxConfig.INITIAL_WINDOW);
    if (reserved == null) {
      throw new IOException("yamux " + label + ": resource limit reached, no new stream");
    }
    int id;
    try {
      id = streams.reserveOutbound(this::checkCanOpen);
    } catch (IOException | RuntimeException e) {
      reserved.close();
      throw e;
    }
    YamuxStream stream = new YamuxStream(this, id, true, config, reserved);
    streams.put(stream);
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
    return keepAlive.ping(timeout);
  }

  /**
   * Sends GoAway (normal): from now on neither side opens new streams (inbound SYNs get RST);
   * existing streams finish normally. Failures end the session and are reported through {@link
   * #closeCause()}.
   */
  public void goAway() {
    localGoAway = true;
    streams.wakeOpeners();
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
        if (hooked
            ? wakeSoon || unwokenBytes >= WAKE_BATCH
            : in.available() < YamuxFrame.HEADER_LENGTH) {
          wakeReaders();
        }
        YamuxFrame frame = YamuxCodec.read(in, header);
        if (frame == null) {
          shutdown(new EOFException("yamux " + label + ": connection closed by remote"), -1);
          return;
        }
        keepAlive.received();
        switch (frame.type()) {
          case YamuxFrame.TYPE_DATA -> onData(frame);
          case YamuxFrame.TYPE_WINDOW_UPDATE -> onWindowUpdate(frame);
          case YamuxFrame.TYPE_PING -> keepAlive.onPing(frame);
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
    if (!hooked && frame.length() > in.available()) {
      wakeReaders();
    }
    stream.receiveData(frame, in);
    applyFlags(stream, frame);
  }

  /**
   * On a connection that tells us when a read would wait, readers are woken at the latest once this
   * much was received for them (1 MiB, a few hundred microseconds of a busy connection), or once a
   * stream holds half its window (its reader then returns credit at once).
   */
  static final int WAKE_BATCH = 4 * YamuxConfig.INITIAL_WINDOW;

  // Streams given data since their readers were last woken and how many bytes (reader thread
  // only), and how many wakes were sent (written by the reader thread only; for tests).
  private final List<YamuxStream> unwoken = new ArrayList<>();
  private int unwokenBytes;
  private boolean wakeSoon;
  private volatile int readerWakes;

  /**
   * Wakes {@code stream}'s reader, given {@code bytes} more, before this thread next waits for the
   * connection ({@link #wakeReaders}), not at once: frames that arrived together are taken first,
   * so a reader waiting on a bulk stream wakes once per batch instead of once per frame (each wake
   * is a thread hand-off, on a busy host a context switch). When the connection tells us that a
   * read would wait ({@link Duplex#whenReadWouldBlock}, TCP), that is exactly when readers are
   * woken, or once {@value #WAKE_BATCH} bytes are waiting for them, or before the next frame if
   * {@code soon} (the stream holds half its window: its remote may soon have to wait for credit);
   * otherwise, whenever the layer below holds no complete next header or payload (it might wait).
   * Nothing waits longer than the frames already received take to unpack.
   */
  void wakeLater(YamuxStream stream, int bytes, boolean soon) {
    unwokenBytes += bytes;
    wakeSoon |= soon;
    if (!unwoken.contains(stream)) {
      unwoken.add(stream);
    }
  }

  private void wakeReaders() {
    unwokenBytes = 0;
    wakeSoon = false;
    if (unwoken.isEmpty()) {
      return;
    }
    for (int i = 0; i < unwoken.size(); i++) {
      unwoken.get(i).wakeReader();
    }
    readerWakes += unwoken.size();
    unwoken.clear();
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
      streams.acknowledged();
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
    if (streams.contains(id)) {
      throw ProtocolException.connection(
          Reason.UNEXPECTED, "SYN for live stream " + frame.unsignedStreamId());
    }
    // The memory first (it may refuse at the byte or stream budgets), then the session's own
    // count; a refusal by either releases what the other took.
    YamuxMemory.StreamMemory reserved =
        localGoAway ? null : memory.openStream(true, YamuxConfig.INITIAL_WINDOW);
    if (reserved == null || !streams.admitInbound(localGoAway)) {
      if (reserved != null) {
        reserved.close();
      }
      LOG.debug(
          "yamux {}: refusing inbound stream {} ({})",
          label,
          frame.unsignedStreamId(),
          localGoAway
              ? "going away"
              : reserved == null ? "resource limit" : "limit " + config.maxInboundStreams());
      enqueueControl(YamuxFrame.windowUpdate(id, YamuxFrame.FLAG_RST, 0));
      return null;
    }
    YamuxStream stream = new YamuxStream(this, id, false, config, reserved);
    streams.put(stream);
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

  private void onGoAway(YamuxFrame frame) {
    remoteGoAway = true;
    LOG.debug("yamux {}: remote sent GoAway code {}", label, frame.length());
    streams.wakeOpeners();
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
    keepAlive.enqueue(frame);
  }

  // ---- for the streams (any thread) ----

  /** See {@link YamuxWriter#writeData}. */
  void writeData(int id, int flags, byte[] b, int off, int len, boolean flush) throws IOException {
    writer.writeData(id, flags, b, off, len, flush);
  }

  /** See {@link YamuxWriter#writeHeader}. */
  void writeHeader(int type, int flags, int id, long length) throws IOException {
    writer.writeHeader(type, flags, id, length);
  }

  /** See {@link YamuxWriter#writeQuietly}. */
  void writeQuietly(int type, int flags, int id, long length) {
    writer.writeQuietly(type, flags, id, length);
  }

  long rttNanos() {
    return keepAlive.rttNanos();
  }

  /** Takes a stream out of the table (once it is fully closed or reset) and out of the counts. */
  void removeStream(YamuxStream stream) {
    streams.remove(stream);
  }

  IOException closedException() {
    Throwable cause = closeCause;
    return cause == null
        ? new IOException("yamux session " + label + " closed")
        : new IOException("yamux session " + label + " closed: " + cause.getMessage(), cause);
  }

  // ---- ending ----

  /** Ends the session because of {@code cause} (I/O failure, stuck write, keep-alive timeout). */
  void fail(Throwable cause) {
    shutdown(cause, -1);
  }

  private void shutdown(Throwable cause, int goAwayCode) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeCause = cause;
    IOException streamFailure = closedException();
    streams.abortAll(streamFailure);
    keepAlive.abort(streamFailure);
    keepAlive.wake();
    if (goAwayCode >= 0) {
      writer.sendLastGoAway(goAwayCode);
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
    callbackLock.lock();
    try {
      callbacksFired = true;
      callbacks = List.copyOf(closeCallbacks);
      closeCallbacks.clear();
    } finally {
      callbackLock.unlock();
    }
    callbacks.forEach(this::runCallback);
  }

  private void runCallback(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.error("yamux {}: close callback failed", label, e);
    }
  }

  // ---- for tests ----

  /** Stream readers woken for received data so far, one per stream per batch of frames. */
  int readerWakes() {
    return readerWakes;
  }

  Thread readerThread() {
    return reader;
  }

  Thread controlThread() {
    return controller;
  }
}
