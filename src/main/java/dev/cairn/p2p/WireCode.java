package dev.cairn.p2p;

/**
 * An enum constant that stands for a number on the wire (a key type, a result code, a multiaddr
 * protocol), with the one lookup from the number back to the constant.
 */
public interface WireCode {
  /** The number on the wire. */
  int code();

  /** The one of {@code values} whose {@link #code()} is {@code code}, or null when none is. */
  static <E extends WireCode> E lookup(E[] values, long code) {
    for (E e : values) {
      if (e.code() == code) {
        return e;
      }
    }
    return null;
  }
}
