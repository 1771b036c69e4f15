package dev.cairn.chain.model;

/**
 * The length check and defensive copy of the fixed-size byte values ({@link Hash}, {@link
 * Address}).
 */
final class FixedBytes {
  private FixedBytes() {}

  /** A copy of {@code bytes}, which must be {@code size} long ({@code what}: "a hash", ...). */
  static byte[] copy(byte[] bytes, int size, String what) {
    if (bytes.length != size) {
      throw new IllegalArgumentException(what + " has " + size + " bytes, not " + bytes.length);
    }
    return bytes.clone();
  }
}
