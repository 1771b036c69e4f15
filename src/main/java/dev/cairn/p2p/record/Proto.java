package dev.cairn.p2p.record;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The few protobuf wire rules the envelope and peer record need, by hand: these messages are tiny,
 * and a hand-written reader bounds every field before allocating and keeps generated classes out of
 * the package. Reading follows protobuf semantics: unknown fields are skipped, the last value of a
 * repeated scalar wins.
 */
final class Proto {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  private Proto() {}

  /** A cursor over one encoded message. Not thread-safe; one decode uses one reader. */
  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    boolean hasMore() {
      return pos < buf.length;
    }

    /** The next field's tag; its number is {@code tag >>> 3}, its wire type {@code tag & 7}. */
    int tag() throws ProtocolException {
      long tag = varint();
      if (tag >>> 3 == 0 || tag >>> 3 > 0x1FFF_FFFF) {
        throw malformed("bad field number in tag " + tag);
      }
      return (int) tag;
    }

    /** A protobuf varint: up to 10 bytes, all 64 bits (uint64 values come back as longs). */
    long varint() throws ProtocolException {
      long value = 0;
      for (int i = 0; i < 10; i++) {
        if (pos >= buf.length) {
          throw ProtocolException.stream(Reason.TRUNCATED, "input ended inside a varint");
        }
        int b = buf[pos++] & 0xFF;
        if (i == 9 && b > 1) {
          throw ProtocolException.stream(Reason.BAD_VARINT, "varint overflows 64 bits");
        }
        value |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw ProtocolException.stream(Reason.BAD_VARINT, "varint longer than 10 bytes");
    }

    /**
     * The bytes of the length-delimited field {@code tag} introduced: {@link #expect} then {@link
     * #bytes}.
     */
    byte[] lenField(int tag, int max, String field) throws ProtocolException {
      expect(tag, LEN);
      return bytes(max, field);
    }

    /** A length-delimited field's bytes, checked against {@code max} before copying. */
    byte[] bytes(int max, String field) throws ProtocolException {
      long len = varint();
      if (len < 0 || len > max) {
        throw ProtocolException.stream(
            Reason.TOO_LARGE, field + " of " + Long.toUnsignedString(len) + " bytes, limit " + max);
      }
      if (len > buf.length - pos) {
        throw ProtocolException.stream(Reason.TRUNCATED, field + " runs past the end");
      }
      byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) len);
      pos += (int) len;
      return out;
    }

    /** Skips a field we do not know; groups (wire types 3, 4) and types 6, 7 are malformed. */
    void skip(int tag) throws ProtocolException {
      switch (tag & 7) {
        case VARINT -> varint();
        case I64 -> advance(8);
        case LEN -> {
          long len = varint();
          if (len < 0 || len > buf.length - pos) {
            throw ProtocolException.stream(Reason.TRUNCATED, "unknown field runs past the end");
          }
          pos += (int) len;
        }
        case I32 -> advance(4);
        default -> throw malformed("unsupported wire type " + (tag & 7));
      }
    }

    /** Fails unless the tag has the wire type its field number requires. */
    void expect(int tag, int wireType) throws ProtocolException {
      if ((tag & 7) != wireType) {
        throw malformed("field " + (tag >>> 3) + " has wire type " + (tag & 7));
      }
    }

    private void advance(int n) throws ProtocolException {
      if (n > buf.length - pos) {
        throw ProtocolException.stream(Reason.TRUNCATED, "fixed-width field runs past the end");
      }
      pos += n;
    }

    private static ProtocolException malformed(String message) {
      return ProtocolException.stream(Reason.MALFORMED, message);
    }
  }

  /** Appends fields in the order called (callers call them in field-number order). */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer bytes(int field, byte[] value) {
      varint((long) field << 3 | LEN);
      varint(value.length);
      out.writeBytes(value);
      return this;
    }

    Writer uint64(int field, long value) {
      varint((long) field << 3 | VARINT);
      varint(value);
      return this;
    }

    private void varint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
