package dev.cairn.chain.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte SHA-256 digest: block hashes, transaction ids, Merkle roots. Immutable; the bytes are
 * copied in and out. Ordered as an unsigned big-endian number.
 */
public record Hash(byte[] bytes) implements Comparable<Hash> {
  /** Length in bytes. */
  public static final int SIZE = 32;

  /** All zero bytes: the parent of the genesis block. */
  public static final Hash ZERO = new Hash(new byte[SIZE]);

  /** Copies and checks {@code bytes} (exactly 32). */
  public Hash {
    bytes = FixedBytes.copy(bytes, SIZE, "a hash");
  }

  /** Wraps 32 bytes. */
  public static Hash of(byte[] bytes) {
    return new Hash(bytes);
  }

  /** Reads 32 bytes at {@code offset}. */
  public static Hash of(byte[] bytes, int offset) {
    return new Hash(Arrays.copyOfRange(bytes, offset, offset + SIZE));
  }

  /** SHA-256 over the concatenation of {@code parts}. */
  public static Hash sha256(byte[]... parts) {
    MessageDigest digest = newSha256();
    for (byte[] part : parts) {
      digest.update(part);
    }
    return new Hash(digest.digest());
  }

  /** Parses 64 hex digits. */
  public static Hash parse(String hex) {
    if (hex.length() != 2 * SIZE) {
      throw new IllegalArgumentException("a hash is 64 hex digits, got " + hex.length());
    }
    return new Hash(HexFormat.of().parseHex(hex));
  }

  /**
   * A fresh SHA-256 state cloned from this one: {@link MessageDigest#getInstance} looks the
   * provider up on every call (reflection, algorithm constraints), which cost the chain owner more
   * than a third of its hashing time; a clone of a reset digest is a plain copy.
   */
  private static final MessageDigest SHA256_PROTOTYPE = lookUpSha256();

  private static MessageDigest lookUpSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A new SHA-256 {@link MessageDigest} (every JDK has one). */
  public static MessageDigest newSha256() {
    try {
      // the prototype is never updated, so every clone starts empty
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return lookUpSha256();
    }
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Copies the 32 bytes into {@code out} at {@code offset}. */
  public void writeTo(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, SIZE);
  }

  /** Lower-case hex, 64 digits. */
  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public int compareTo(Hash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    // SHA-256 output is uniform: the first four bytes are a good hash code.
    return (bytes[0] << 24)
        | ((bytes[1] & 0xff) << 16)
        | ((bytes[2] & 0xff) << 8)
        | (bytes[3] & 0xff);
  }

  @Override
  public String toString() {
    return hex();
  }
}
