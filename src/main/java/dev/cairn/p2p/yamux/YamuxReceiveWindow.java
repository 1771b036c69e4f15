package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The receive side of one {@link YamuxStream}: the credit the remote may still send, the window
 * that credit is drawn from (256 KiB, grown by auto-tuning), the memory reserved for that window,
 * and the ring buffer that holds what arrived and was not read yet, unless it could go straight
 * into the array of a reader waiting for it ({@link #deliver}).
 *
 * <p>Invariant: {@code buffered + consumed + credit == window}; the reservation ({@link
 * YamuxMemory.StreamMemory}) covers the whole window, as the remote may fill all of it at once.
 *
 * <p>Auto-tuning: when the reader has consumed half of the window, the consumed bytes go back to
 * the remote as credit ({@link #grantCredit}); if that half went within four round trips, the
 * window doubles (up to {@link YamuxConfig#maxReceiveWindow()}), but only by what the stream's
 * memory grants: growth is a low-priority reservation ({@link YamuxMemory.StreamMemory#grow}),
 * refused near the budget, and then the window stays as it is.
 *
 * <p>Threading: not thread-safe. The owning stream calls every method with its lock held; the one
 * exception is the session's reader thread filling the region that {@link #room} and {@link #tail}
 * gave it, outside the lock (only that thread grows the ring, and {@link #landed} checks that the
 * ring was not dropped meanwhile).
 */
final class YamuxReceiveWindow {

  private static final byte[] EMPTY = new byte[0];
  private static final int MIN_RING = 4096;

  private final int maxWindow;
  private final YamuxMemory.StreamMemory memory;

  /** The smallest read that may take a payload straight from the connection ({@link #deliver}). */
  static final int DIRECT_MIN = 4096;

  private byte[] ring = EMPTY;
  private int head;
  private int size;
  private long credit = YamuxConfig.INITIAL_WINDOW;
  private long consumed;
  private int window = YamuxConfig.INITIAL_WINDOW;
  private long epochNanos;
  // The array a waiting reader offered, and how much deliver put into it.
  private byte[] target;
  private int targetOff;
  private int targetLen;
  private int delivered;

  YamuxReceiveWindow(int maxWindow, YamuxMemory.StreamMemory memory, long nowNanos) {
    this.maxWindow = maxWindow;
    this.memory = memory;
    this.epochNanos = nowNanos;
  }

  /** The current window (bytes), what the stream's memory reservation covers. */
  int window() {
    return window;
  }

  /** Bytes received and not yet read. */
  int buffered() {
    return size;
  }

  /** The ring's size (bytes). */
  int capacity() {
    return ring.length;
  }

  /**
   * Takes a Data frame's length from the credit.
   *
   * @return the payload length
   * @throws ProtocolException if the frame is larger than the credit (the connection ends)
   */
  int admit(YamuxFrame frame) throws ProtocolException {
    YamuxCodec.checkData(frame, credit);
    int len = (int) frame.length();
    credit -= len;
    return len;
  }

  /**
   * Makes room for {@code len} more bytes after those buffered; returns the ring, which the caller
   * fills from {@link #tail()} on (wrapping at its end), then reports with {@link #landed}.
   */
  byte[] room(int len) {
    if (size == 0) {
      // Nothing buffered: start again at the front. A ring grown to megabytes while the reader
      // lagged would otherwise have every later frame written and read at a new place in it, cold
      // in the cache, where a backlog of a frame or two now stays in the same hot first bytes.
      head = 0;
    }
    int needed = size + len;
    if (ring.length < needed) {
      int capacity = Math.max(needed, Math.min(window, Math.max(2 * ring.length, MIN_RING)));
      byte[] grown = new byte[capacity];
      int first = Math.min(size, ring.length - head);
      System.arraycopy(ring, head, grown, 0, first);
      System.arraycopy(ring, 0, grown, first, size - first);
      ring = grown;
      head = 0;
    }
    return ring;
  }

  /** Where the next received byte goes in the ring. */
  int tail() {
    return (head + size) % ring.length;
  }

  /**
   * {@code len} bytes were written into {@code dst} from {@link #tail()}: they count as buffered
   * unless the ring was dropped meanwhile.
   *
   * @return whether they count
   */
  boolean landed(byte[] dst, int len) {
    if (dst != ring) {
      return false;
    }
    size += len;
    return true;
  }

  /**
   * Whether a read finds data: buffered, or delivered into the array it {@linkplain #offer
   * offered}.
   */
  boolean ready() {
    return size > 0 || delivered > 0;
  }

  /**
   * A reader is about to wait for data with {@code b[off, off + len)}: if that is at least {@value
   * #DIRECT_MIN} bytes, {@link #deliver} may fill it, until {@link #withdraw}.
   */
  void offer(byte[] b, int off, int len) {
    if (len >= DIRECT_MIN) {
      target = b;
      targetOff = off;
      targetLen = len;
    }
  }

  /** The reader stopped waiting: nothing more goes into its array. */
  void withdraw() {
    target = null;
  }

  /**
   * Copies what of an admitted payload of {@code len} bytes has already arrived in {@code src} (so
   * this never waits on the connection, though the caller holds the stream's lock) straight into
   * the array of a waiting reader with nothing buffered; returns how many bytes that was (they
   * count as read). The caller puts the rest into the ring. Saves the ring's copy on every bulk
   * read.
   */
  int deliver(InputStream src, int len) throws IOException, ProtocolException {
    if (target == null || delivered > 0 || size > 0) {
      return 0;
    }
    int n = Math.min(Math.min(len, targetLen), src.available());
    if (n <= 0) {
      return 0;
    }
    YamuxSession.readFully(src, target, targetOff, n);
    delivered = n;
    consumed += n;
    return n;
  }

  /**
   * Moves up to {@code len} buffered bytes into {@code b}; returns how many (0 when empty). What
   * {@link #deliver} put there already is returned first, without a copy.
   */
  int take(byte[] b, int off, int len) {
    if (delivered > 0) {
      int n = delivered;
      delivered = 0;
      return n;
    }
    int n = Math.min(len, size);
    if (n == 0) {
      return 0;
    }
    int first = Math.min(n, ring.length - head);
    System.arraycopy(ring, head, b, off, first);
    if (n > first) {
      System.arraycopy(ring, 0, b, off + first, n - first);
    }
    // head + size stays constant modulo the capacity: the session reader may be filling the
    // region after it right now, outside the lock.
    head = (head + n) % ring.length;
    size -= n;
    consumed += n;
    return n;
  }

  /**
   * Whether what waits for the reader (buffered or delivered) is half of the window: once the
   * reader takes it, credit goes back to the remote.
   */
  boolean halfFull() {
    return size + delivered >= window / 2;
  }

  /** Whether half of the window has been read since credit was last returned. */
  boolean creditDue() {
    return consumed >= window / 2;
  }

  /**
   * Credit to return to the remote: what was consumed, plus the growth if the window was used up
   * within 4 RTTs ({@code rttNanos}, 0 when unknown) and the stream's memory grants the growth (a
   * window is memory the remote may fill at once, so it only grows by what is reserved for it; near
   * the budget it stays as it is).
   */
  long grantCredit(long rttNanos, long nowNanos) {
    long extra = 0;
    if (rttNanos > 0 && window < maxWindow && nowNanos - epochNanos < 4 * rttNanos) {
      int grown = (int) Math.min(2L * window, maxWindow);
      if (memory.grow(grown - window)) {
        extra = grown - window;
        window = grown;
      }
    }
    epochNanos = nowNanos;
    long delta = consumed + extra;
    consumed = 0;
    credit += delta;
    return delta;
  }

  /** Drops what is buffered (the stream was reset or its reading side closed). */
  void drop() {
    delivered = 0;
    target = null;
    ring = EMPTY;
    head = 0;
    size = 0;
  }
}
