package dev.cairn.testing;

import dev.cairn.p2p.transport.Duplex;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two connected in-memory {@link Duplex} ends backed by bounded byte pipes. A writer blocks when
 * the pipe is full (like a TCP socket with a full send buffer), so flow control is real.
 */
public final class MemoryDuplex implements Duplex {

  private final Pipe inbound;
  private final Pipe outbound;

  private MemoryDuplex(Pipe inbound, Pipe outbound) {
    this.inbound = inbound;
    this.outbound = outbound;
  }

  /**
   * A connected pair; bytes written to {@code pair[0].out()} are read from {@code pair[1].in()}.
   */
  public static MemoryDuplex[] pair(int capacity) {
    Pipe aToB = new Pipe(capacity);
    Pipe bToA = new Pipe(capacity);
    return new MemoryDuplex[] {new MemoryDuplex(bToA, aToB), new MemoryDuplex(aToB, bToA)};
  }

  public static MemoryDuplex[] pair() {
    return pair(256 * 1024);
  }

  @Override
  public InputStream in() {
    return inbound.input;
  }

  @Override
  public OutputStream out() {
    return outbound.output;
  }

  /** Closes our writing side only: the remote reads end of stream after the buffered bytes. */
  public void shutdownOutput() {
    outbound.closeWriter();
  }

  @Override
  public void close() {
    inbound.abort();
    outbound.closeWriter();
  }

  /** A bounded single-producer single-consumer byte ring guarded by one lock. */
  private static final class Pipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final byte[] ring;
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean readerClosed;

    Pipe(int capacity) {
      ring = new byte[capacity];
    }

    final InputStream input =
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
              return 0;
            }
            lock.lock();
            try {
              while (size == 0) {
                if (readerClosed) {
                  throw new IOException("pipe closed");
                }
                if (writerClosed) {
                  return -1;
                }
                awaitOrFail(notEmpty);
              }
              int n = Math.min(len, size);
              for (int i = 0; i < n; i++) {
                b[off + i] = ring[(head + i) % ring.length];
              }
              head = (head + n) % ring.length;
              size -= n;
              notFull.signalAll();
              return n;
            } finally {
              lock.unlock();
            }
          }

          /** Bytes in the pipe: what a read takes without blocking. */
          @Override
          public int available() {
            lock.lock();
            try {
              return size;
            } finally {
              lock.unlock();
            }
          }

          @Override
          public void close() {
            abort();
          }
        };

    final OutputStream output =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
              while (len > 0) {
                while (size == ring.length && !readerClosed && !writerClosed) {
                  awaitOrFail(notFull);
                }
                if (readerClosed || writerClosed) {
                  throw new IOException("pipe closed");
                }
                int n = Math.min(len, ring.length - size);
                for (int i = 0; i < n; i++) {
                  ring[(head + size + i) % ring.length] = b[off + i];
                }
                size += n;
                off += n;
                len -= n;
                notEmpty.signalAll();
              }
            } finally {
              lock.unlock();
            }
          }

          @Override
          public void close() {
            closeWriter();
          }
        };

    private void awaitOrFail(Condition condition) throws IOException {
      try {
        condition.await(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }

    void closeWriter() {
      lock.lock();
      try {
        writerClosed = true;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void abort() {
      lock.lock();
      try {
        readerClosed = true;
        writerClosed = true;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
