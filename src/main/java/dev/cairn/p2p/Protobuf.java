package dev.cairn.p2p;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;

/**
 * Decoding a generated protobuf message from a peer's bytes, the one way every codec does it: bound
 * the length before parsing, then parse, and turn either failure into a typed {@link
 * ProtocolException} of the caller's scope. The generated class stays inside the codec.
 */
public final class Protobuf {
  private Protobuf() {}

  /** A generated message's {@code parseFrom(byte[])}. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  /**
   * Parses {@code bytes} as the message {@code what} names.
   *
   * @throws ProtocolException TOO_LARGE above {@code maxBytes}, MALFORMED if it does not parse
   */
  public static <T> T parse(byte[] bytes, int maxBytes, Scope scope, String what, Parser<T> parser)
      throws ProtocolException {
    if (bytes.length > maxBytes) {
      throw new ProtocolException(Reason.TOO_LARGE, scope, what + " of " + bytes.length + " bytes");
    }
    try {
      return parser.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ProtocolException(Reason.MALFORMED, scope, what + " does not parse", e);
    }
  }
}
