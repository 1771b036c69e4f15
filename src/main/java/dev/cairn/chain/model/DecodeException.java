package dev.cairn.chain.model;

/** Canonical bytes that do not decode; {@link #reason()} says which rule they broke. */
public final class DecodeException extends Exception {
  /** What is wrong with the bytes. */
  public enum Reason {
    /** Fewer bytes than the structure needs. */
    TRUNCATED,
    /** More bytes than the structure has. */
    TRAILING_BYTES,
    /** Longer than the limit for this structure ({@link Limits}). */
    TOO_LARGE,
    /** A declared count above its limit. */
    TOO_MANY_ITEMS,
    /** A version byte this node does not know. */
    UNSUPPORTED_VERSION,
    /** An item that may appear once appears again (it would make the encoding non-canonical). */
    DUPLICATE
  }

  private final Reason reason;

  /** With a reason and a detail. */
  public DecodeException(Reason reason, String detail) {
    super(reason + ": " + detail);
    this.reason = reason;
  }

  /** The broken rule. */
  public Reason reason() {
    return reason;
  }
}
