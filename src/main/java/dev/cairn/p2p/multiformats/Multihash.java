package dev.cairn.p2p.multiformats;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** A self-describing hash: {@code varint(code) varint(length) digest}. */
public record Multihash(int code, byte[] digest) {
  public static final int IDENTITY = 0x00;
  public static final int SHA2_256 = 0x12;

  /** The longest digest we accept when decoding (identity peer ids hold at most 42 bytes). */
  public static final int MAX_DIGEST = 128;

  public Multihash {
    digest = digest.clone();
  }

  public static Multihash identity(byte[] data) {
    return new Multihash(IDENTITY, data);
  }

  public static Multihash sha256(byte[] data) {
    try {
      return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  public byte[] encode() {
    byte[] out = new byte[Varint.size(code) + Varint.size(digest.length) + digest.length];
    int at = Varint.write(code, out, 0);
    at = Varint.write(digest.length, out, at);
    System.arraycopy(digest, 0, out, at, digest.length);
    return out;
  }

  /** Decodes a whole byte array as exactly one multihash. */
  public static Multihash decode(byte[] bytes) throws ProtocolException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long code = Varint.read(buf, Scope.STREAM);
    int length = Varint.readLength(buf, MAX_DIGEST, Scope.STREAM);
    if (buf.remaining() != length) {
      throw ProtocolException.stream(Reason.MALFORMED, "multihash length does not match its data");
    }
    if (code != IDENTITY && code != SHA2_256) {
      throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "unsupported multihash code " + code);
    }
    if (code == SHA2_256 && length != 32) {
      throw ProtocolException.stream(Reason.MALFORMED, "sha2-256 digest must be 32 bytes");
    }
    byte[] digest = new byte[length];
    buf.get(digest);
    return new Multihash((int) code, digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
  }

  @Override
  public int hashCode() {
    return 31 * code + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "Multihash[" + code + ":" + HexFormat.of().formatHex(digest) + "]";
  }
}
