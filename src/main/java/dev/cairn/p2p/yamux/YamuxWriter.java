package dev.cairn.p2p.yamux;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The session's writing side, used by any thread: every frame is written whole under one
 * per-session {@link ReentrantLock} (header and payload, then flush), taken with {@link
 * YamuxConfig#writeTimeout()}. We chose a lock over a writer thread: the writer does the I/O
 * itself, with no queue hop and no context switch per write, and back-pressure from the connection
 * reaches the writing thread directly. A failed or stuck write ends the session.
 */
final class YamuxWriter {
  private static final Logger LOG = LogManager.getLogger();

  /** Payloads up to this size are copied behind the header and written in one call. */
  private static final int COALESCE_LIMIT = 8192;

  private final YamuxSession session;
  private final OutputStream out;
  private final YamuxConfig config;
  private final String label;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final byte[] writeBuffer = new byte[YamuxFrame.HEADER_LENGTH + COALESCE_LIMIT];

  YamuxWriter(YamuxSession session, OutputStream out, YamuxConfig config, String label) {
    this.session = session;
    this.out = out;
    this.config = config;
    this.label = label;
  }

  /**
   * Writes one Data frame: header and payload, then flushes unless {@code flush} is false (the
   * caller writes the next frame of the same write at once; flushing in between would cost a short
   * encrypted message and a system call per frame).
   */
  void writeData(int id, int flags, byte[] b, int off, int len, boolean flush) throws IOException {
    writeFrame(YamuxFrame.TYPE_DATA, flags, id, len, b, off, len, flush);
  }

  /** Writes one frame without payload (WindowUpdate, Ping, GoAway), then flush. */
  void writeHeader(int type, int flags, int id, long length) throws IOException {
    writeFrame(type, flags, id, length, null, 0, 0, true);
  }

  /** One whole frame under the lock: its header, then {@code len} payload bytes of {@code b}. */
  private void writeFrame(
      int type, int flags, int id, long length, byte[] b, int off, int len, boolean flush)
      throws IOException {
    lockForWrite();
    try {
      YamuxCodec.encode(writeBuffer, 0, type, flags, id, length);
      if (len > COALESCE_LIMIT) {
        out.write(writeBuffer, 0, YamuxFrame.HEADER_LENGTH);
        out.write(b, off, len);
      } else {
        if (len > 0) {
          System.arraycopy(b, off, writeBuffer, YamuxFrame.HEADER_LENGTH, len);
        }
        out.write(writeBuffer, 0, YamuxFrame.HEADER_LENGTH + len);
      }
      if (flush) {
        out.flush();
      }
    } catch (IOException e) {
      session.fail(e);
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
    if (!session.isOpen()) {
      throw session.closedException();
    }
    try {
      if (!writeLock.tryLock(config.writeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        // Someone is stuck inside a write: the connection no longer drains.
        InterruptedIOException stuck =
            new InterruptedIOException(
                "yamux " + label + ": connection not writable within " + config.writeTimeout());
        session.fail(stuck);
        throw stuck;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to write");
    }
    if (!session.isOpen()) {
      writeLock.unlock();
      throw session.closedException();
    }
  }

  /**
   * The GoAway of an ending session (already marked closed, so the normal path refuses): best
   * effort, bounded. A helper thread writes it while we wait at most a short time; closing the
   * connection afterwards wakes it if the connection does not drain.
   */
  void sendLastGoAway(int code) {
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
}
