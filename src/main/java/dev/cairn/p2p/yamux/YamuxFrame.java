package dev.cairn.p2p.yamux;

/**
 * One yamux frame header (12 bytes on the wire). For {@link #TYPE_DATA} the {@code length} payload
 * bytes follow the header; for the other types {@code length} carries the value itself (window
 * delta, ping opaque, GoAway code) and nothing follows.
 *
 * <p>Stream ids and lengths are unsigned 32-bit numbers on the wire: {@code streamId} holds the bit
 * pattern (use {@link Integer#toUnsignedLong}), {@code length} holds the value as a {@code long} in
 * {@code [0, 2^32)}.
 *
 * @param version always 0 for {@code /yamux/1.0.0}
 * @param type one of the {@code TYPE_} constants
 * @param flags a bitmask of the {@code FLAG_} constants
 * @param streamId the stream, 0 for the session (Ping, GoAway)
 * @param length payload length, window delta, ping opaque value or GoAway code
 */
public record YamuxFrame(int version, int type, int flags, int streamId, long length) {

  /** Size of the header on the wire. */
  public static final int HEADER_LENGTH = 12;

  /** The only version defined. */
  public static final int VERSION = 0;

  public static final int TYPE_DATA = 0;
  public static final int TYPE_WINDOW_UPDATE = 1;
  public static final int TYPE_PING = 2;
  public static final int TYPE_GO_AWAY = 3;

  public static final int FLAG_SYN = 0x1;
  public static final int FLAG_ACK = 0x2;
  public static final int FLAG_FIN = 0x4;
  public static final int FLAG_RST = 0x8;

  public static final int GO_AWAY_NORMAL = 0;
  public static final int GO_AWAY_PROTOCOL_ERROR = 1;
  public static final int GO_AWAY_INTERNAL_ERROR = 2;

  /** Largest value of the 32-bit unsigned length field. */
  public static final long MAX_LENGTH = 0xFFFF_FFFFL;

  public YamuxFrame {
    if (version < 0 || version > 0xFF) {
      throw new IllegalArgumentException("version out of range: " + version);
    }
    if (type < 0 || type > 0xFF) {
      throw new IllegalArgumentException("type out of range: " + type);
    }
    if (flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException("flags out of range: " + flags);
    }
    if (length < 0 || length > MAX_LENGTH) {
      throw new IllegalArgumentException("length out of range: " + length);
    }
  }

  /** A Data header announcing {@code length} payload bytes. */
  public static YamuxFrame data(int streamId, int flags, long length) {
    return new YamuxFrame(VERSION, TYPE_DATA, flags, streamId, length);
  }

  /** A WindowUpdate granting {@code delta} more bytes (0 when only the flags matter). */
  public static YamuxFrame windowUpdate(int streamId, int flags, long delta) {
    return new YamuxFrame(VERSION, TYPE_WINDOW_UPDATE, flags, streamId, delta);
  }

  /** A Ping on the session: {@link #FLAG_SYN} asks, {@link #FLAG_ACK} answers. */
  public static YamuxFrame ping(int flags, int opaque) {
    return new YamuxFrame(VERSION, TYPE_PING, flags, 0, Integer.toUnsignedLong(opaque));
  }

  /** A GoAway with one of the {@code GO_AWAY_} codes. */
  public static YamuxFrame goAway(int code) {
    return new YamuxFrame(VERSION, TYPE_GO_AWAY, 0, 0, Integer.toUnsignedLong(code));
  }

  /** Whether every bit of {@code flag} is set. */
  public boolean has(int flag) {
    return (flags & flag) == flag;
  }

  /** The stream id as the unsigned number it is on the wire. */
  public long unsignedStreamId() {
    return Integer.toUnsignedLong(streamId);
  }

  @Override
  public String toString() {
    String name =
        switch (type) {
          case TYPE_DATA -> "Data";
          case TYPE_WINDOW_UPDATE -> "WindowUpdate";
          case TYPE_PING -> "Ping";
          case TYPE_GO_AWAY -> "GoAway";
          default -> "Type" + type;
        };
    StringBuilder f = new StringBuilder();
    if (has(FLAG_SYN)) f.append("SYN|");
    if (has(FLAG_ACK)) f.append("ACK|");
    if (has(FLAG_FIN)) f.append("FIN|");
    if (has(FLAG_RST)) f.append("RST|");
    if (!f.isEmpty()) f.setLength(f.length() - 1);
    return name + "[" + unsignedStreamId() + " " + f + " len=" + length + "]";
  }
}
