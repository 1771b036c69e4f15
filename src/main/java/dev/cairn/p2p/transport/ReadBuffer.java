package dev.cairn.p2p.transport;

/**
 * Bytes read ahead and not yet handed out: the range {@code [position, limit)} of an array owned by
 * whoever fills it (a socket's input buffer, a Noise message decrypted in place). Reads take from
 * the front. Not thread-safe: confined to the reading thread, as every {@link Duplex} input.
 */
public final class ReadBuffer {
  private static final byte[] EMPTY = new byte[0];

  private byte[] array = EMPTY;
  private int position;
  private int limit;

  /** From now on the bytes to hand out are {@code array[position, limit)}. */
  public void set(byte[] array, int position, int limit) {
    this.array = array;
    this.position = position;
    this.limit = limit;
  }

  /** Bytes left to hand out. */
  public int remaining() {
    return limit - position;
  }

  /** Moves up to {@code len} bytes into {@code b} at {@code off}; returns how many (0 if none). */
  public int take(byte[] b, int off, int len) {
    int n = Math.min(len, limit - position);
    System.arraycopy(array, position, b, off, n);
    position += n;
    return n;
  }

  /** The next byte (0–255); only when {@link #remaining()} is positive. */
  public int takeByte() {
    return array[position++] & 0xff;
  }
}
