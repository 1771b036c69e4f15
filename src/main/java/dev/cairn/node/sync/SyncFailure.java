package dev.cairn.node.sync;

/** A sync request that did not give us what we asked for, typed by its consequence for the peer. */
public final class SyncFailure extends Exception {
  /** What went wrong; each kind says what we do to the peer. */
  public enum Kind {
    /** Undecodable, unrequested or unlinked data: penalise heavily, try another peer. */
    INVALID(40),
    /** The reqresp layer caught a framing or limit violation and has penalised the peer. */
    PROTOCOL(0),
    /** No answer in time: penalise lightly (late), try another peer. */
    TIMEOUT(10),
    /** The peer does not have it (it may have reorganised): no penalty, try another peer. */
    UNAVAILABLE(0),
    /** Rate limited or a server error at the peer: no penalty, try later or elsewhere. */
    BUSY(0),
    /** The peer does not speak the protocol (not a Cairn node of our network): no penalty. */
    NOT_SUPPORTED(0),
    /** The stream or connection failed: no penalty, try another peer. */
    IO(0);

    private final int penalty;

    Kind(int penalty) {
      this.penalty = penalty;
    }

    /** Standing points the peer loses. */
    public int penalty() {
      return penalty;
    }
  }

  private final Kind kind;

  public SyncFailure(Kind kind, String message) {
    super(kind + ": " + message);
    this.kind = kind;
  }

  public SyncFailure(Kind kind, String message, Throwable cause) {
    super(kind + ": " + message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
