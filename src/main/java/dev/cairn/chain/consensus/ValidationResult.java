package dev.cairn.chain.consensus;

/**
 * The outcome of a consensus check, as a value. {@link Accept}: valid. {@link Reject}: invalid
 * forever (penalise the sender). {@link Ignore}: not valid now, may be later (a block from the
 * future); drop it without penalty. Maps onto gossipsub's accept/ignore/reject.
 */
public sealed interface ValidationResult {
  /** The single accepting result. */
  ValidationResult ACCEPT = new Accept();

  /** Valid. */
  record Accept() implements ValidationResult {}

  /** Not valid now; no penalty. */
  record Ignore(RejectReason reason, String detail) implements ValidationResult {}

  /** Invalid. */
  record Reject(RejectReason reason, String detail) implements ValidationResult {}

  /** A rejection. */
  static ValidationResult reject(RejectReason reason, String detail) {
    return new Reject(reason, detail);
  }

  /** True for {@link Accept}. */
  default boolean accepted() {
    return this instanceof Accept;
  }

  /** The reason, or null for {@link Accept}. */
  default RejectReason reason() {
    return switch (this) {
      case Accept a -> null;
      case Ignore i -> i.reason();
      case Reject r -> r.reason();
    };
  }
}
