package dev.cairn.p2p.yamux;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bytes to and from {@link YamuxFrame} headers. Stateless; every method may be called from any
 * thread. Payloads are not handled here: the session reads them straight into the stream's buffer
 * after {@link #checkData} has bounded them.
 */
public final class YamuxCodec {
  private YamuxCodec() {}

  /** Writes the 12-byte big-endian header of {@code frame} into {@code dst} at {@code off}. */
  public static void encode(YamuxFrame frame, byte[] dst, int off) {
    encode(dst, off, frame.type(), frame.flags(), frame.streamId(), frame.length());
  }

  /** The 12-byte header of {@code frame}. */
  public static byte[] encode(YamuxFrame frame) {
    byte[] out = new byte[YamuxFrame.HEADER_LENGTH];
    encode(frame, out, 0);
    return out;
  }

  /** Allocation-free form of {@link #encode(YamuxFrame, byte[], int)} for the hot write path. */
  static void encode(byte[] dst, int off, int type, int flags, int streamId, long length) {
    dst[off] = YamuxFrame.VERSION;
    dst[off + 1] = (byte) type;
    dst[off + 2] = (byte) (flags >>> 8);
    dst[off + 3] = (byte) flags;
    dst[off + 4] = (byte) (streamId >>> 24);
    dst[off + 5] = (byte) (streamId >>> 16);
    dst[off + 6] = (byte) (streamId >>> 8);
    dst[off + 7] = (byte) streamId;
    dst[off + 8] = (byte) (length >>> 24);
    dst[off + 9] = (byte) (length >>> 16);
    dst[off + 10] = (byte) (length >>> 8);
    dst[off + 11] = (byte) length;
  }

  /**
   * Decodes the header at {@code src[off..off+12)}.
   *
   * @throws ProtocolException UNKNOWN_TYPE (connection) for a version other than 0 or an unknown
   *     frame type
   */
  public static YamuxFrame decode(byte[] src, int off) throws ProtocolException {
    int version = src[off] & 0xFF;
    if (version != YamuxFrame.VERSION) {
      throw ProtocolException.connection(Reason.UNKNOWN_TYPE, "yamux version " + version);
    }
    int type = src[off + 1] & 0xFF;
    if (type > YamuxFrame.TYPE_GO_AWAY) {
      throw ProtocolException.connection(Reason.UNKNOWN_TYPE, "yamux frame type " + type);
    }
    int flags = ((src[off + 2] & 0xFF) << 8) | (src[off + 3] & 0xFF);
    int streamId =
        ((src[off + 4] & 0xFF) << 24)
            | ((src[off + 5] & 0xFF) << 16)
            | ((src[off + 6] & 0xFF) << 8)
            | (src[off + 7] & 0xFF);
    long length =
        ((long) (src[off + 8] & 0xFF) << 24)
            | ((src[off + 9] & 0xFF) << 16)
            | ((src[off + 10] & 0xFF) << 8)
            | (src[off + 11] & 0xFF);
    return new YamuxFrame(version, type, flags, streamId, length);
  }

  /**
   * Reads exactly one header from {@code in}, never more than 12 bytes.
   *
   * @param scratch at least 12 bytes, reused by the caller to avoid an allocation per frame
   * @return the header, or {@code null} if the input ended cleanly before its first byte
   * @throws ProtocolException TRUNCATED (connection) if the input ends inside the header, or as
   *     {@link #decode}
   */
  public static YamuxFrame read(InputStream in, byte[] scratch)
      throws IOException, ProtocolException {
    int n = in.readNBytes(scratch, 0, YamuxFrame.HEADER_LENGTH);
    if (n == 0) {
      return null;
    }
    if (n < YamuxFrame.HEADER_LENGTH) {
      throw ProtocolException.connection(
          Reason.TRUNCATED, "yamux header cut after " + n + " of 12 bytes");
    }
    return decode(scratch, 0);
  }

  /**
   * Bounds a Data frame's payload before anything is read or allocated for it.
   *
   * @param remainingWindow bytes the sender may still send on that stream
   * @throws ProtocolException FLOW_CONTROL (connection) if the payload exceeds the window
   */
  public static void checkData(YamuxFrame frame, long remainingWindow) throws ProtocolException {
    if (frame.type() == YamuxFrame.TYPE_DATA && frame.length() > remainingWindow) {
      throw ProtocolException.connection(
          Reason.FLOW_CONTROL,
          "data frame of "
              + frame.length()
              + " bytes on stream "
              + frame.unsignedStreamId()
              + " exceeds the receive window of "
              + remainingWindow);
    }
  }
}
