package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.transport.Duplex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One yamux stream: an ordered, flow-controlled byte pipe inside a {@link YamuxSession}.
 *
 * <p>Reading: {@link #in()} blocks until data arrives; it returns -1 once the remote sent FIN and
 * the buffered data is drained, and throws {@link IOException} after a reset (by either side) or
 * when the session closes. Received data is kept in a ring buffer bounded by the receive window
 * (256 KiB, grown by auto-tuning up to {@link YamuxConfig#maxReceiveWindow()} only while the reader
 * keeps up), so a slow reader slows the remote writer instead of growing memory. Window updates go
 * out once half of the window has been consumed.
 *
 * <p>Writing: {@link #out()} is unbuffered: each {@code write} sends its bytes at once as Data
 * frames of at most {@link YamuxConfig#maxFramePayload()} bytes and flushes the connection, so
 * {@code flush()} has nothing to do (wrap it in a {@code BufferedOutputStream} to coalesce tiny
 * writes). A write blocks while the send window is empty, for at most {@link
 * YamuxConfig#writeTimeout()}. {@code out().close()} is {@link #closeWrite()}.
 *
 * <p>Threading: one thread reads and one thread writes at a time (writes are serialised per stream
 * anyway, so that no Data frame can follow our FIN). {@link #reset()} may be called from any thread
 * and wakes blocked readers and writers at once; {@link #close()} and {@link #closeWrite()} first
 * wait for a write in progress (bounded by the write timeout). The session's reader thread is the
 * only producer of received data, send credit and remote FIN/RST; all stream state is guarded by
 * one {@link ReentrantLock} that is never held while blocking on the connection.
 *
 * <p>The receive window (credit, auto-tuning, its memory reservation, the ring buffer) is a {@link
 * YamuxReceiveWindow}, guarded by this stream's lock.
 */
public final class YamuxStream implements Duplex {

  private final YamuxSession session;
  private final int id;
  private final boolean outbound;
  private final int maxFramePayload;
  private final long readTimeoutNanos;
  private final long writeTimeoutNanos;
  private final YamuxMemory.StreamMemory memory;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();
  // Held by the thread writing Data or FIN, so FIN never overtakes a reserved Data frame.
  private final ReentrantLock writeSerial = new ReentrantLock();

  // Receive side (guarded by lock).
  private final YamuxReceiveWindow received;

  // Send side (guarded by lock).
  private long sendWindow = YamuxConfig.INITIAL_WINDOW;

  // Lifecycle (guarded by lock).
  private boolean remoteFin;
  private boolean localFin;
  private boolean readClosed;
  private IOException failure; // set once reset by either side or aborted with the session
  private boolean ackPending; // outbound: SYN sent, no ACK yet (counts in the ack backlog)
  private boolean ackToSend; // inbound: our next frame must carry ACK
  private boolean removed;

  private final InputStream in = new In();
  private final OutputStream out = new Out();

  YamuxStream(
      YamuxSession session,
      int id,
      boolean outbound,
      YamuxConfig config,
      YamuxMemory.StreamMemory memory) {
    this.session = session;
    this.memory = memory;
    this.id = id;
    this.outbound = outbound;
    this.received = new YamuxReceiveWindow(config.maxReceiveWindow(), memory, System.nanoTime());
    this.maxFramePayload = config.maxFramePayload();
    this.readTimeoutNanos = config.readTimeout().toNanos();
    this.writeTimeoutNanos = config.writeTimeout().toNanos();
    this.ackPending = outbound;
    this.ackToSend = !outbound;
  }

  /** The stream id (odd when opened by the connection's dialer, even by its listener). */
  public int id() {
    return id;
  }

  /** Whether we opened this stream. */
  public boolean outbound() {
    return outbound;
  }

  /**
   * The memory this stream holds on the remote's behalf (its receive window), granted by the
   * session's {@link YamuxMemory}; the host tags it with the stream's protocol once negotiated.
   */
  public YamuxMemory.StreamMemory memory() {
    return memory;
  }

  /** The session this stream belongs to. */
  public YamuxSession session() {
    return session;
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }

  /**
   * Half-closes: sends FIN, after which we write nothing more; reading goes on until the remote's
   * FIN. Idempotent; a no-op on a reset stream.
   */
  public void closeWrite() throws IOException {
    writeSerial.lock();
    try {
      Fin fin = fin(true);
      if (fin == null) {
        return;
      }
      session.writeHeader(YamuxFrame.TYPE_WINDOW_UPDATE, fin.flags(), id, 0);
      if (fin.done()) {
        session.removeStream(this);
      }
    } finally {
      writeSerial.unlock();
    }
  }

  /** A FIN recorded by {@link #fin}: the flags our FIN frame carries, whether both are now in. */
  private record Fin(int flags, boolean done) {}

  /**
   * Records our FIN ({@code local}) or the remote's, which wakes a reader; null if that FIN was
   * already recorded or the stream failed. The stream leaves the session once both are in.
   */
  private Fin fin(boolean local) {
    lock.lock();
    try {
      if ((local ? localFin : remoteFin) || failure != null) {
        return null;
      }
      int flags = 0;
      if (local) {
        localFin = true;
        flags = YamuxFrame.FLAG_FIN | outgoingFlags();
      } else {
        remoteFin = true;
        readable.signalAll();
      }
      return new Fin(flags, localFin && remoteFin && markRemoved());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Resets the stream: sends RST and wakes blocked readers and writers with an {@link IOException}.
   * Buffered data is dropped. Idempotent; a no-op once the stream is fully closed.
   */
  public void reset() {
    int flags = resetLocally();
    if (flags >= 0) {
      session.writeQuietly(YamuxFrame.TYPE_WINDOW_UPDATE, flags, id, 0);
    }
  }

  /** Marks the stream reset; returns the RST frame's flags, or -1 if there is nothing to send. */
  private int resetLocally() {
    int flags;
    lock.lock();
    try {
      if (failure != null || removed) {
        return -1;
      }
      failure = new IOException("yamux stream " + idText() + " reset locally");
      flags = YamuxFrame.FLAG_RST | outgoingFlags();
      markRemoved();
      dropBufferAndWake();
    } finally {
      lock.unlock();
    }
    session.removeStream(this);
    return flags;
  }

  /**
   * Closes both directions gracefully: sends FIN ({@link #closeWrite()}) and stops reading;
   * buffered and later data is discarded. We choose FIN rather than RST so that a reply we just
   * wrote is still delivered; if the remote nevertheless sends more Data after this, the stream is
   * reset, so a remote writer never stalls forever on a reader that is gone. The stream leaves the
   * session once the remote's FIN (or RST) arrives.
   */
  @Override
  public void close() throws IOException {
    try {
      closeWrite();
    } finally {
      closeRead();
    }
  }

  @Override
  public String toString() {
    return "YamuxStream[" + idText() + (outbound ? " out" : " in") + "]";
  }

  private String idText() {
    return Integer.toUnsignedString(id);
  }

  /** The current receive window (bytes), what this stream's memory reservation covers. */
  int receiveWindow() {
    return receiveSide(YamuxReceiveWindow::window);
  }

  /** Bytes received and not yet read. */
  int buffered() {
    return receiveSide(YamuxReceiveWindow::buffered);
  }

  /** The receive ring's size in bytes (0 while never needed); for tests. */
  int ringCapacity() {
    return receiveSide(YamuxReceiveWindow::capacity);
  }

  private int receiveSide(java.util.function.ToIntFunction<YamuxReceiveWindow> figure) {
    lock.lock();
    try {
      return figure.applyAsInt(received);
    } finally {
      lock.unlock();
    }
  }

  // ---- application side ----

  private int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n;
    long delta = 0;
    int flags = 0;
    lock.lock();
    try {
      if (!awaitData(b, off, len)) {
        return -1;
      }
      n = received.take(b, off, len);
      if (!remoteFin && received.creditDue()) {
        delta = received.grantCredit(session.rttNanos(), System.nanoTime());
        flags = outgoingFlags();
      }
    } finally {
      received.withdraw();
      lock.unlock();
    }
    if (delta > 0) {
      // A failure here closes the session (the connection is broken); the data is still ours.
      session.writeQuietly(YamuxFrame.TYPE_WINDOW_UPDATE, flags, id, delta);
    }
    return n;
  }

  /**
   * Waits (lock held) until data is buffered or was delivered into {@code b}, which is offered to
   * the session's reader thread meanwhile ({@link YamuxReceiveWindow#offer}). False at the FIN.
   */
  private boolean awaitData(byte[] b, int off, int len) throws IOException {
    long remaining = readTimeoutNanos;
    while (!received.ready()) {
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (readClosed) {
        throw new IOException("yamux stream " + idText() + " read side closed");
      }
      if (remoteFin) {
        return false;
      }
      received.offer(b, off, len);
      try {
        if (readTimeoutNanos == 0) {
          readable.await();
        } else {
          if (remaining <= 0) {
            throw new InterruptedIOException("yamux stream " + idText() + " read timed out");
          }
          remaining = readable.awaitNanos(remaining);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (!received.ready()) {
          throw new InterruptedIOException("interrupted while reading yamux stream " + idText());
        }
      }
    }
    return true;
  }

  private void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    writeSerial.lock();
    try {
      while (len > 0) {
        int n;
        int flags;
        boolean flush;
        lock.lock();
        try {
          long remaining = writeTimeoutNanos;
          while (true) {
            if (failure != null) {
              throw new IOException(failure.getMessage(), failure);
            }
            if (localFin) {
              throw new IOException("yamux stream " + idText() + " write side closed");
            }
            if (sendWindow > 0) {
              break;
            }
            if (remaining <= 0) {
              throw new InterruptedIOException(
                  "yamux stream " + idText() + " send window stayed empty for the write timeout");
            }
            try {
              remaining = writable.awaitNanos(remaining);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException(
                  "interrupted while writing yamux stream " + idText());
            }
          }
          n = (int) Math.min(Math.min(len, sendWindow), maxFramePayload);
          sendWindow -= n;
          flags = outgoingFlags();
          // Flush at the end of the write, and before we might wait for send window: unflushed
          // data would never reach the remote, so it would never grant more.
          flush = n == len || sendWindow == 0;
        } finally {
          lock.unlock();
        }
        session.writeData(id, flags, b, off, n, flush);
        off += n;
        len -= n;
      }
    } finally {
      writeSerial.unlock();
    }
  }

  /** Sends the ACK of an inbound stream now, before its handler runs. */
  void acknowledge() throws IOException {
    int flags;
    lock.lock();
    try {
      if (failure != null) {
        return;
      }
      flags = outgoingFlags();
    } finally {
      lock.unlock();
    }
    if (flags != 0) {
      session.writeHeader(YamuxFrame.TYPE_WINDOW_UPDATE, flags, id, 0);
    }
  }

  private void closeRead() {
    lock.lock();
    try {
      if (readClosed) {
        return;
      }
      readClosed = true;
      received.drop();
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- called by the session's reader thread ----

  /**
   * Takes a Data payload: checks it against the receive window, then reads it from {@code src} into
   * a waiting reader's array ({@link YamuxReceiveWindow#deliver}) and what is left straight into
   * the ring buffer (outside the lock; only this thread grows the ring).
   */
  void receiveData(YamuxFrame frame, InputStream src) throws IOException, ProtocolException {
    int len;
    byte[] dst = null;
    int tail = 0;
    boolean discard;
    boolean protest;
    lock.lock();
    try {
      len = received.admit(frame);
      discard = failure != null || readClosed || remoteFin;
      // Data after our close, or after the remote's own FIN: reset rather than absorb it forever.
      protest = len > 0 && failure == null && (readClosed || remoteFin);
      if (!discard && len > 0) {
        int direct = received.deliver(src, len);
        len -= direct;
        if (direct > 0 && len > 0) {
          readable.signal(); // now: the rest of the payload may be slow to come
        } else if (direct > 0) {
          session.wakeLater(this, direct, received.halfFull());
        }
        if (len > 0) {
          dst = received.room(len);
          tail = received.tail();
        }
      }
    } finally {
      lock.unlock();
    }
    if (discard || len == 0) {
      session.skip(len);
      int flags = protest ? resetLocally() : -1;
      if (flags >= 0) {
        // The reader thread never writes itself (it could block on a full connection while the
        // remote blocks on us); the control thread sends the RST.
        session.enqueueControl(YamuxFrame.windowUpdate(id, flags, 0));
      }
      return;
    }
    int first = Math.min(len, dst.length - tail);
    YamuxSession.readFully(src, dst, tail, first);
    if (len > first) {
      YamuxSession.readFully(src, dst, 0, len - first);
    }
    lock.lock();
    try {
      if (failure == null && !readClosed && received.landed(dst, len)) {
        session.wakeLater(this, len, received.halfFull());
      }
    } finally {
      lock.unlock();
    }
  }

  void addSendWindow(long delta) {
    lock.lock();
    try {
      sendWindow += delta;
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The remote acknowledged our SYN; returns whether it was still pending. */
  boolean acknowledged() {
    lock.lock();
    try {
      boolean was = ackPending;
      ackPending = false;
      return was;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a reader waiting for data; the session's reader batches these ({@link #receiveData}). */
  void wakeReader() {
    lock.lock();
    try {
      readable.signal();
    } finally {
      lock.unlock();
    }
  }

  void remoteFin() {
    Fin fin = fin(false);
    if (fin != null && fin.done()) {
      session.removeStream(this);
    }
  }

  void remoteReset() {
    lock.lock();
    try {
      if (failure != null) {
        return;
      }
      failure = new IOException("yamux stream " + idText() + " reset by remote");
      markRemoved();
      dropBufferAndWake();
    } finally {
      lock.unlock();
    }
    session.removeStream(this);
  }

  /** The session ended: fail everyone waiting, send nothing. */
  void abort(IOException cause) {
    lock.lock();
    try {
      if (failure == null) {
        failure = cause;
      }
      removed = true;
      dropBufferAndWake();
    } finally {
      lock.unlock();
    }
  }

  // ---- helpers, lock held ----

  private int outgoingFlags() {
    if (ackToSend) {
      ackToSend = false;
      return YamuxFrame.FLAG_ACK;
    }
    return 0;
  }

  private boolean markRemoved() {
    if (removed) {
      return false;
    }
    removed = true;
    return true;
  }

  private void dropBufferAndWake() {
    received.drop();
    readable.signalAll();
    writable.signalAll();
  }

  // ---- the two halves ----

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return YamuxStream.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return YamuxStream.this.read(b, off, len);
    }

    @Override
    public int available() {
      return buffered();
    }

    /** Stops reading: buffered and later data is discarded (later data resets the stream). */
    @Override
    public void close() {
      closeRead();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      YamuxStream.this.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      YamuxStream.this.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      closeWrite();
    }
  }
}
