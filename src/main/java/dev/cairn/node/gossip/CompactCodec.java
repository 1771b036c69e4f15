package dev.cairn.node.gossip;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Limits;
import dev.cairn.node.gossip.pb.CompactProtos;
import java.util.Arrays;

/**
 * Bytes ⇄ {@link CompactBlock} (proto/compact.proto). Pure. Every length is checked against a limit
 * before anything is allocated, and only the canonical encoding is accepted (what {@link #encode}
 * gives back byte for byte), so one compact block has one gossip message id.
 */
public final class CompactCodec {
  /**
   * Most bytes of an encoded compact block: the header, {@link Limits#MAX_TRANSACTIONS} short ids
   * of {@link ShortIds#MAX_BYTES} bytes and the protobuf tags and lengths (56,131 bytes at most).
   */
  public static final int MAX_BYTES = 64 * 1024;

  private CompactCodec() {}

  /** True if a blocks-topic payload is a compact block (a full block starts with 0x00). */
  public static boolean isCompact(byte[] payload) {
    return payload.length > 0 && payload[0] != 0;
  }

  public static byte[] encode(CompactBlock b) {
    int w = b.shortIdBytes();
    byte[] ids = new byte[b.count() * w];
    for (int i = 0; i < b.count(); i++) {
      long s = b.shortIds()[i];
      for (int k = 0; k < w; k++) {
        ids[i * w + k] = (byte) (s >>> (8 * k));
      }
    }
    return CompactProtos.CompactBlock.newBuilder()
        .setHeader(ByteString.copyFrom(ChainCodec.encode(b.header())))
        .setShortIdBytes(w)
        .setShortIds(ByteString.copyFrom(ids))
        .build()
        .toByteArray();
  }

  /**
   * The compact block in {@code bytes}: at most {@link #MAX_BYTES}, a 116-byte header, 1..8-byte
   * short ids, at most {@link Limits#MAX_TRANSACTIONS} of them, canonical.
   */
  public static CompactBlock decode(byte[] bytes) throws DecodeException {
    if (bytes.length > MAX_BYTES) {
      throw new DecodeException(
          DecodeException.Reason.TOO_LARGE, "compact block of " + bytes.length + " bytes");
    }
    CompactProtos.CompactBlock m;
    try {
      m = CompactProtos.CompactBlock.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException(DecodeException.Reason.TRUNCATED, "compact block: " + e);
    }
    int w = m.getShortIdBytes();
    if (w < 1 || w > ShortIds.MAX_BYTES) {
      throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED_VERSION,
          "short ids of " + Integer.toUnsignedString(w) + " bytes");
    }
    int idBytes = m.getShortIds().size();
    if (idBytes % w != 0) {
      throw new DecodeException(
          DecodeException.Reason.TRAILING_BYTES, idBytes + " bytes of " + w + "-byte short ids");
    }
    int count = idBytes / w;
    if (count > Limits.MAX_TRANSACTIONS) {
      throw new DecodeException(
          DecodeException.Reason.TOO_MANY_ITEMS, count + " transactions in a compact block");
    }
    BlockHeader header = ChainCodec.decodeHeader(m.getHeader().toByteArray());
    byte[] ids = m.getShortIds().toByteArray();
    long[] s = new long[count];
    for (int i = 0; i < count; i++) {
      s[i] = ShortIds.littleEndian(ids, i * w, w);
    }
    CompactBlock b = new CompactBlock(header, w, s);
    if (!Arrays.equals(encode(b), bytes)) {
      throw new DecodeException(DecodeException.Reason.TRAILING_BYTES, "non-canonical encoding");
    }
    return b;
  }
}
