package dev.cairn.p2p.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A socket's input with a small buffer for short reads (handshake lines, length prefixes) that,
 * unlike {@link java.io.BufferedInputStream}, reads the socket at most once per call and never asks
 * it how much is {@linkplain InputStream#available() available}: {@code BufferedInputStream} does
 * after every read that filled less than asked, one {@code ioctl(FIONREAD)} system call per read (a
 * third of the system calls of a bulk Noise stream, measured with {@code perf stat}). A read of at
 * least the buffer's size with nothing buffered goes straight from the socket into the caller's
 * array, without the copy.
 *
 * <p>Not thread-safe: one reader at a time, as for every {@link Duplex}.
 */
final class SocketInput extends InputStream {
  private static final byte[] EMPTY = new byte[0];

  private final InputStream socket;
  private final int size;
  // Allocated at the first short read, so a connection that only reads in bulk never holds it.
  private byte[] buffer = EMPTY;
  private final ReadBuffer buffered = new ReadBuffer();
  private volatile Runnable beforeBlocking;

  SocketInput(InputStream socket, int size) {
    this.socket = socket;
    this.size = size;
  }

  @Override
  public int read() throws IOException {
    if (buffered.remaining() == 0 && !fill()) {
      return -1;
    }
    return buffered.takeByte();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (buffered.remaining() == 0) {
      if (len >= size) {
        return readSocket(b, off, len);
      }
      if (!fill()) {
        return -1;
      }
    }
    return buffered.take(b, off, len);
  }

  /**
   * Runs {@code hook} before a socket read when the socket has nothing to return at once, that is
   * when the read will wait: one {@code ioctl(FIONREAD)} per socket read (these are large: Noise
   * reads up to two messages at a time), against a thread hand-off per frame for the muxer above.
   */
  void beforeBlocking(Runnable hook) {
    beforeBlocking = hook;
  }

  /** Bytes buffered here; the socket is not asked (that would cost a system call). */
  @Override
  public int available() {
    return buffered.remaining();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private int readSocket(byte[] b, int off, int len) throws IOException {
    Runnable hook = beforeBlocking;
    if (hook != null && socket.available() == 0) {
      hook.run();
    }
    return socket.read(b, off, len);
  }

  /** One socket read into the empty buffer; false at end of stream. */
  private boolean fill() throws IOException {
    if (buffer.length == 0) {
      buffer = new byte[size];
    }
    int n = readSocket(buffer, 0, size);
    buffered.set(buffer, 0, Math.max(n, 0));
    return n >= 0;
  }
}
