package dev.cairn.p2p;

/**
 * A peer sent something the protocol does not allow. Thrown by decoders and protocol state machines
 * on untrusted input; never by our own bugs (those are {@link IllegalStateException}).
 *
 * <p>The {@link Scope} says how far the damage reaches: a stream error resets one stream and the
 * connection lives on; a connection error closes the whole connection. The {@link Reason} is the
 * typed cause, used for logging and for scoring the peer.
 */
public final class ProtocolException extends Exception {

  /** How far a protocol violation reaches. */
  public enum Scope {
    /** Reset the stream it happened on; the connection and its other streams go on. */
    STREAM,
    /** Close the connection: its state can no longer be trusted. */
    CONNECTION
  }

  /** The typed cause. Add a value when a protocol needs one; keep them protocol-neutral. */
  public enum Reason {
    /** A length prefix or a declared size is above the limit for that field. */
    TOO_LARGE,
    /** The input ended before a complete item was read. */
    TRUNCATED,
    /** A varint is longer than allowed, overflows, or is not minimally encoded. */
    BAD_VARINT,
    /** The bytes do not parse as the expected structure. */
    MALFORMED,
    /** A type, version, code or flag we do not know. */
    UNKNOWN_TYPE,
    /** A message that is well-formed but not allowed in the current state. */
    UNEXPECTED,
    /** A signature, MAC or authentication tag did not verify. */
    BAD_SIGNATURE,
    /** The remote authenticated as another peer than the one we dialled. */
    PEER_ID_MISMATCH,
    /** None of the offered protocols is supported. */
    UNSUPPORTED_PROTOCOL,
    /** The peer sent more than its flow-control window or rate allows. */
    FLOW_CONTROL,
    /** The peer exceeded a resource limit (streams, connections, messages). */
    LIMIT_EXCEEDED,
    /** The peer did not answer in time. */
    TIMEOUT
  }

  private final Reason reason;
  private final Scope scope;

  public ProtocolException(Reason reason, Scope scope, String message) {
    super(message);
    this.reason = reason;
    this.scope = scope;
  }

  public ProtocolException(Reason reason, Scope scope, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.scope = scope;
  }

  /** A stream-scoped violation. */
  public static ProtocolException stream(Reason reason, String message) {
    return new ProtocolException(reason, Scope.STREAM, message);
  }

  /** A connection-scoped violation. */
  public static ProtocolException connection(Reason reason, String message) {
    return new ProtocolException(reason, Scope.CONNECTION, message);
  }

  public Reason reason() {
    return reason;
  }

  public Scope scope() {
    return scope;
  }

  @Override
  public String getMessage() {
    return reason
        + " ("
        + scope.name().toLowerCase(java.util.Locale.ROOT)
        + "): "
        + super.getMessage();
  }
}
