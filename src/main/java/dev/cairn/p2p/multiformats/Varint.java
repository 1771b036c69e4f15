package dev.cairn.p2p.multiformats;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The multiformats unsigned varint: 7 bits per byte, least significant group first, at most 9 bytes
 * (63 bits), minimal encoding required. Protobuf's own varint reader is laxer (10 bytes,
 * non-minimal), so the multiformats framing uses this one.
 */
public final class Varint {
  /** The longest encoding we accept (9 bytes carry 63 bits). */
  public static final int MAX_BYTES = 9;

  private Varint() {}

  /** The number of bytes {@code value} encodes to. */
  public static int size(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint must be non-negative: " + value);
    }
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  public static byte[] encode(long value) {
    byte[] out = new byte[size(value)];
    write(value, out, 0);
    return out;
  }

  /** Writes {@code value} at {@code offset}; returns the offset after it. */
  public static int write(long value, byte[] out, int offset) {
    if (value < 0) {
      throw new IllegalArgumentException("varint must be non-negative: " + value);
    }
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  public static void write(long value, OutputStream out) throws IOException {
    out.write(encode(value));
  }

  /**
   * Reads one varint from a stream, one byte at a time (never past its end).
   *
   * @return the value, or -1 if the stream ended cleanly before the first byte
   * @throws EOFException if the stream ends inside the varint
   */
  public static long read(InputStream in, Scope scope) throws IOException, ProtocolException {
    return decode(
        i -> {
          int b = in.read();
          if (b < 0 && i > 0) {
            throw new EOFException("stream ended inside a varint");
          }
          return b;
        },
        scope);
  }

  /** Reads a varint from a buffer, advancing its position. */
  public static long read(ByteBuffer buf, Scope scope) throws ProtocolException {
    return decode(
        i -> {
          if (!buf.hasRemaining()) {
            throw new ProtocolException(Reason.TRUNCATED, scope, "input ended inside a varint");
          }
          return buf.get() & 0xFF;
        },
        scope);
  }

  /** Where {@link #decode} takes its bytes from: the next byte (0-255), or -1 at a clean end. */
  private interface ByteSource<E extends Exception> {
    /** The byte at {@code index} of the varint; -1 is allowed only at index 0. */
    int next(int index) throws E, ProtocolException;
  }

  /** The one varint loop: at most {@link #MAX_BYTES} bytes, minimal encoding; -1 at a clean end. */
  private static <E extends Exception> long decode(ByteSource<E> source, Scope scope)
      throws E, ProtocolException {
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      int b = source.next(i);
      if (b < 0) {
        return -1;
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new ProtocolException(Reason.BAD_VARINT, scope, "varint is not minimally encoded");
        }
        return value;
      }
    }
    throw new ProtocolException(Reason.BAD_VARINT, scope, "varint longer than 9 bytes");
  }

  /**
   * Reads a varint length prefix and checks it against {@code max} before anything is allocated.
   *
   * @return the length, or -1 at a clean end of stream
   */
  public static int readLength(InputStream in, int max, Scope scope)
      throws IOException, ProtocolException {
    long n = read(in, scope);
    if (n > max) {
      throw new ProtocolException(
          Reason.TOO_LARGE, scope, "length " + n + " is above the limit of " + max);
    }
    return (int) n;
  }

  /** Reads a varint length prefix from a buffer, bounded by {@code max} and by what remains. */
  public static int readLength(ByteBuffer buf, int max, Scope scope) throws ProtocolException {
    long n = read(buf, scope);
    if (n > max) {
      throw new ProtocolException(
          Reason.TOO_LARGE, scope, "length " + n + " is above the limit of " + max);
    }
    if (n > buf.remaining()) {
      throw new ProtocolException(
          Reason.TRUNCATED,
          scope,
          "length " + n + " exceeds the " + buf.remaining() + " bytes left");
    }
    return (int) n;
  }
}
