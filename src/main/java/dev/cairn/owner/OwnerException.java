package dev.cairn.owner;

/** Why {@link Owner#ask} got no answer. */
public final class OwnerException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The kinds of missing answer. */
  public enum Kind {
    /** The mailbox was full (the command was refused under its full-policy). */
    BUSY,
    /** The owner had stopped, or stopped before it answered. */
    CLOSED,
    /** No answer within the ask's timeout. */
    TIMEOUT,
    /** The asking thread was interrupted (its flag is set again). */
    INTERRUPTED,
    /** The owner failed the command (the cause says why). */
    FAILED
  }

  private final Kind kind;

  public OwnerException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
