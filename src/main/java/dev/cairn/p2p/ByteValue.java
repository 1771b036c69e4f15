package dev.cairn.p2p;

import java.util.Arrays;

/**
 * A value made of bytes (a peer id, a key, a DHT key): equal to another of the same class with the
 * same bytes. The bytes are owned by the value and never modified; subclasses read them through
 * {@link #content()} and hand out copies.
 */
public abstract class ByteValue {
  private final byte[] content;

  /** {@code content} is owned by the value from now on (callers pass a copy). */
  protected ByteValue(byte[] content) {
    this.content = content;
  }

  /** The bytes themselves, not copied: for the subclass's own reading only. */
  protected final byte[] content() {
    return content;
  }

  @Override
  public final boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && Arrays.equals(((ByteValue) o).content, content);
  }

  @Override
  public final int hashCode() {
    return Arrays.hashCode(content);
  }
}
