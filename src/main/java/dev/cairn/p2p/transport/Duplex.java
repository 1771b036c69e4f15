package dev.cairn.p2p.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An ordered, bidirectional byte pipe: a TCP socket, a Noise session over one, an in-memory pipe.
 * Each layer of the connection upgrade takes a {@code Duplex} and, where it transforms the bytes,
 * returns a new one.
 *
 * <p>Threading: one thread reads {@link #in()} at a time, and writers serialise among themselves
 * (the muxer above owns the writing side). {@link #close()} may be called from any thread and wakes
 * a blocked reader or writer with an {@link IOException}.
 *
 * <p>Reads never consume more than asked for from the layer below, so a protocol that hands the
 * pipe to the next protocol (multistream-select to Noise, for example) never loses buffered bytes.
 */
public interface Duplex extends Closeable {

  /** The reading side. Returns -1 at end of stream (the remote closed its writing side). */
  InputStream in();

  /**
   * The writing side. Bytes may be buffered until {@link OutputStream#flush()}; protocols flush at
   * message boundaries.
   */
  OutputStream out();

  /**
   * Asks for {@code hook} to run on the reading thread each time a read of {@link #in()} is about
   * to wait for the network (nothing has arrived that it could return). Set once, before reading
   * starts. Returns false when this duplex cannot tell (the default): then any read may block.
   *
   * <p>A muxer uses it to hand what it received to the streams' readers only when it would
   * otherwise wait, not after every frame.
   */
  default boolean whenReadWouldBlock(Runnable hook) {
    return false;
  }

  /** Closes both directions and releases the resources; idempotent. */
  @Override
  void close() throws IOException;
}
