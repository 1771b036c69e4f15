package dev.cairn.p2p.multistream;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.transport.Duplex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;

/**
 * multistream-select 1.0: agreeing on the protocol that speaks next on a connection or stream.
 *
 * <p>The dialer pipelines its header and first proposal in one flush; the listener sends its header
 * at once, so a successful negotiation costs one round trip and never deadlocks with a dialer that
 * waits for the header. These calls block; a caller that needs a deadline closes the {@link Duplex}
 * from a timer, which wakes the blocked read.
 */
public final class Multistream {
  /** The header both sides send first. */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";

  static final String NA = "na";
  static final String LS = "ls";

  /** Proposals a listener answers before giving up on a dialer. */
  static final int MAX_ATTEMPTS = 32;

  private Multistream() {}

  /**
   * As the dialer: proposes {@code protocols} in order and returns the first one the listener
   * accepts.
   *
   * @throws ProtocolException UNSUPPORTED_PROTOCOL when the listener declines all of them, or a
   *     malformed-message error
   */
  public static String select(Duplex channel, List<String> protocols, Scope scope)
      throws IOException, ProtocolException {
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    OutputStream out = channel.out();
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    first.writeBytes(MultistreamCodec.encode(PROTOCOL_ID));
    first.writeBytes(MultistreamCodec.encode(protocols.getFirst()));
    out.write(first.toByteArray());
    out.flush();
    readHeader(channel, scope);
    for (int i = 0; i < protocols.size(); i++) {
      if (i > 0) {
        out.write(MultistreamCodec.encode(protocols.get(i)));
        out.flush();
      }
      String answer = MultistreamCodec.read(channel.in(), scope);
      if (answer.equals(protocols.get(i))) {
        return answer;
      }
      if (!answer.equals(NA)) {
        throw new ProtocolException(
            Reason.UNEXPECTED,
            scope,
            "listener answered '" + clip(answer) + "' to " + protocols.get(i));
      }
    }
    throw new ProtocolException(
        Reason.UNSUPPORTED_PROTOCOL, scope, "peer supports none of " + protocols);
  }

  /**
   * As the listener: answers proposals until the dialer proposes one of {@code supported}, which is
   * returned. Answers {@code ls} with the supported list and anything else with {@code na}.
   */
  public static String listen(Duplex channel, Set<String> supported, Scope scope)
      throws IOException, ProtocolException {
    OutputStream out = channel.out();
    // Our header goes out at once: a dialer that waits for it before proposing must not deadlock.
    out.write(MultistreamCodec.encode(PROTOCOL_ID));
    out.flush();
    readHeader(channel, scope);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      String proposal = MultistreamCodec.read(channel.in(), scope);
      byte[] answer;
      if (supported.contains(proposal)) {
        answer = MultistreamCodec.encode(proposal);
      } else if (proposal.equals(LS)) {
        answer = lsAnswer(supported);
      } else {
        answer = MultistreamCodec.encode(NA);
      }
      out.write(answer);
      out.flush();
      if (supported.contains(proposal)) {
        return proposal;
      }
    }
    throw new ProtocolException(
        Reason.LIMIT_EXCEEDED, scope, "no agreement after " + MAX_ATTEMPTS + " proposals");
  }

  private static byte[] lsAnswer(Set<String> supported) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String p : supported) {
      body.writeBytes(MultistreamCodec.encode(p));
    }
    body.write('\n');
    byte[] list = body.toByteArray();
    if (list.length > MultistreamCodec.MAX_MESSAGE) {
      return MultistreamCodec.encode(NA);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(dev.cairn.p2p.multiformats.Varint.encode(list.length));
    out.writeBytes(list);
    return out.toByteArray();
  }

  /** Reads the peer's multistream header; anything else is {@link Reason#UNSUPPORTED_PROTOCOL}. */
  private static void readHeader(Duplex channel, Scope scope)
      throws IOException, ProtocolException {
    String header = MultistreamCodec.read(channel.in(), scope);
    if (!header.equals(PROTOCOL_ID)) {
      throw new ProtocolException(
          Reason.UNSUPPORTED_PROTOCOL,
          scope,
          "expected multistream header, got '" + clip(header) + "'");
    }
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
