package dev.cairn.p2p.multistream;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.multiformats.Varint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * multistream-select messages: {@code varint(n) utf8-text '\n'} where n counts the newline. Pure
 * bytes; reads never consume past the end of the message, so the next protocol gets every byte that
 * follows.
 */
final class MultistreamCodec {
  /** Longest message (go, js and jvm-libp2p all use 1024). */
  static final int MAX_MESSAGE = 1024;

  private MultistreamCodec() {}

  static byte[] encode(String line) {
    byte[] text = line.getBytes(StandardCharsets.UTF_8);
    if (text.length + 1 > MAX_MESSAGE) {
      throw new IllegalArgumentException("multistream message too long: " + line);
    }
    byte[] out = new byte[Varint.size(text.length + 1) + text.length + 1];
    int at = Varint.write(text.length + 1, out, 0);
    System.arraycopy(text, 0, out, at, text.length);
    out[out.length - 1] = '\n';
    return out;
  }

  /** Reads one message and returns its text without the newline. */
  static String read(InputStream in, Scope scope) throws IOException, ProtocolException {
    int n = Varint.readLength(in, MAX_MESSAGE, scope);
    if (n < 0) {
      throw new EOFException("stream closed during multistream negotiation");
    }
    if (n == 0) {
      throw new ProtocolException(Reason.MALFORMED, scope, "empty multistream message");
    }
    byte[] body = in.readNBytes(n);
    if (body.length < n) {
      throw new EOFException("stream closed inside a multistream message");
    }
    if (body[n - 1] != '\n') {
      throw new ProtocolException(
          Reason.MALFORMED, scope, "multistream message does not end with a newline");
    }
    try {
      // Strict: lenient decoding would map malformed bytes to U+FFFD, so different bytes would
      // name the same protocol and an echo would not repeat what the peer sent.
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(body, 0, n - 1))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ProtocolException(Reason.MALFORMED, scope, "multistream message is not UTF-8");
    }
  }
}
