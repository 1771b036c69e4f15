package dev.cairn.chain.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An account: the first 20 bytes of SHA-256 of an Ed25519 public key. Its text form is Bech32m
 * (BIP-350) with prefix {@code cairn}, e.g. {@code cairn1…} (44 characters); the checksum catches
 * every mistyping of up to four characters. See docs/PROTOCOL.md.
 */
public record Address(byte[] bytes) {
  /** Length in bytes. */
  public static final int SIZE = 20;

  /** The human-readable prefix of the text form. */
  public static final String PREFIX = "cairn";

  /** Copies and checks {@code bytes} (exactly 20). */
  public Address {
    bytes = FixedBytes.copy(bytes, SIZE, "an address");
  }

  /** Wraps 20 bytes. */
  public static Address of(byte[] bytes) {
    return new Address(bytes);
  }

  /** Reads 20 bytes at {@code offset}. */
  public static Address of(byte[] bytes, int offset) {
    return new Address(Arrays.copyOfRange(bytes, offset, offset + SIZE));
  }

  /** The address of a 32-byte Ed25519 public key. */
  public static Address fromPublicKey(byte[] publicKey) {
    if (publicKey.length != Keys.PUBLIC_KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
    }
    return new Address(Arrays.copyOf(Hash.sha256(publicKey).bytes(), SIZE));
  }

  /**
   * Parses the text form; the exception message says what is wrong (prefix, character, checksum).
   */
  public static Address parse(String text) throws AddressFormatException {
    Bech32m.Decoded d = Bech32m.decode(text.strip());
    if (!d.hrp().equals(PREFIX)) {
      throw new AddressFormatException(
          "prefix is '" + d.hrp() + "', a Cairn address starts with '" + PREFIX + "1'");
    }
    byte[] raw = Bech32m.convertBits(d.data(), 5, 8, false);
    if (raw.length != SIZE) {
      throw new AddressFormatException("wrong length: " + raw.length + " bytes instead of 20");
    }
    return new Address(raw);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Copies the 20 bytes into {@code out} at {@code offset}. */
  public void writeTo(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, SIZE);
  }

  /** The text form, {@code cairn1…}. */
  public String text() {
    try {
      return Bech32m.encode(PREFIX, Bech32m.convertBits(bytes, 8, 5, true));
    } catch (AddressFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lower-case hex of the 20 bytes. */
  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address a && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return text();
  }
}
