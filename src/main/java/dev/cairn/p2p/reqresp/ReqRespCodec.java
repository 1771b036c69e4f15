package dev.cairn.p2p.reqresp;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.multiformats.Varint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The framing: a request is {@code varint(n) bytes}; a response is a sequence of chunks {@code
 * code(1 byte) varint(n) bytes}, where a SUCCESS chunk carries a payload and any other code carries
 * a UTF-8 reason and ends the response. Reads never allocate more than the limit they are given.
 */
final class ReqRespCodec {
  /** Longest error reason we send or read. */
  static final int MAX_REASON = 256;

  private ReqRespCodec() {}

  static void writeFrame(OutputStream out, byte[] body) throws IOException {
    out.write(Varint.encode(body.length));
    out.write(body);
  }

  static void writeChunk(OutputStream out, RpcCode code, byte[] body) throws IOException {
    out.write(code.code());
    writeFrame(out, body);
  }

  static void writeError(OutputStream out, RpcCode code, String reason) throws IOException {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    if (text.length > MAX_REASON) {
      text = java.util.Arrays.copyOf(text, MAX_REASON);
    }
    writeChunk(out, code, text);
  }

  /** Reads a request frame of at most {@code max} bytes. */
  static byte[] readRequest(InputStream in, int max) throws IOException, ProtocolException {
    int n = Varint.readLength(in, max, Scope.STREAM);
    if (n < 0) {
      throw ProtocolException.stream(Reason.TRUNCATED, "stream ended before the request");
    }
    return readExactly(in, n);
  }

  /**
   * One decoded response chunk; {@code null} from {@link #readChunk} at the end of the response.
   */
  record Chunk(RpcCode code, byte[] body) {}

  static Chunk readChunk(InputStream in, int maxBody) throws IOException, ProtocolException {
    RpcCode code = readCode(in);
    if (code == null) {
      return null;
    }
    int n = readBodyLength(in, code == RpcCode.SUCCESS ? maxBody : MAX_REASON);
    return new Chunk(code, readExactly(in, n));
  }

  /**
   * Reads a whole response: SUCCESS chunks until the end of the stream, at most {@code maxChunks}
   * of them, each at most {@code maxChunkBytes}, and at most {@code maxBytes} of payload in all.
   * Both bounds are checked before a chunk's body is read or allocated: a SUCCESS code past the
   * chunk limit, or a length prefix beyond the budget left, is {@link Reason#LIMIT_EXCEEDED} (a
   * prefix beyond the chunk size, {@link Reason#TOO_LARGE}). So a responder can make us read at
   * most {@code maxBytes} of payload plus each chunk's 1 to 6 bytes of framing.
   *
   * @throws RpcException the responder answered with an error code
   */
  static List<byte[]> readResponse(InputStream in, int maxChunkBytes, int maxChunks, long maxBytes)
      throws IOException, ProtocolException {
    return readResponse(in, maxChunkBytes, maxChunks, maxBytes, n -> true);
  }

  /**
   * As {@link #readResponse(InputStream, int, int, long)}, asking {@code admit} for each SUCCESS
   * chunk's length once its prefix passed the bounds and before its body is read: false (no memory
   * for it) ends the read with an {@link IOException}, which is no fault of the responder.
   */
  static List<byte[]> readResponse(
      InputStream in, int maxChunkBytes, int maxChunks, long maxBytes, IntPredicate admit)
      throws IOException, ProtocolException {
    List<byte[]> chunks = new ArrayList<>();
    long left = maxBytes;
    while (true) {
      RpcCode code = readCode(in);
      if (code == null) {
        return chunks;
      }
      if (code != RpcCode.SUCCESS) {
        int n = readBodyLength(in, MAX_REASON);
        throw new RpcException(code, new String(readExactly(in, n), StandardCharsets.UTF_8));
      }
      if (chunks.size() >= maxChunks) {
        throw ProtocolException.stream(
            Reason.LIMIT_EXCEEDED, "more than the " + maxChunks + " response chunks asked for");
      }
      int n = readBodyLength(in, maxChunkBytes);
      if (n > left) {
        throw ProtocolException.stream(
            Reason.LIMIT_EXCEEDED,
            "chunk of " + n + " bytes exceeds the response budget of " + maxBytes + " bytes");
      }
      left -= n;
      if (!admit.test(n)) {
        throw new IOException("busy: no memory left for a response chunk of " + n + " bytes");
      }
      chunks.add(readExactly(in, n));
    }
  }

  /** A chunk's result code, or null at the end of the stream. */
  private static RpcCode readCode(InputStream in) throws IOException, ProtocolException {
    int c = in.read();
    if (c < 0) {
      return null;
    }
    RpcCode code = RpcCode.of(c);
    if (code == null) {
      throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "unknown result code " + c);
    }
    return code;
  }

  /** The length prefix after a result code, at most {@code max}; the stream may not end here. */
  private static int readBodyLength(InputStream in, int max) throws IOException, ProtocolException {
    int n = Varint.readLength(in, max, Scope.STREAM);
    if (n < 0) {
      throw ProtocolException.stream(Reason.TRUNCATED, "response ended after its result code");
    }
    return n;
  }

  private static byte[] readExactly(InputStream in, int n) throws IOException, ProtocolException {
    byte[] body = in.readNBytes(n);
    if (body.length < n) {
      throw new ProtocolException(
          Reason.TRUNCATED, Scope.STREAM, "frame cut short", new EOFException());
    }
    return body;
  }
}
