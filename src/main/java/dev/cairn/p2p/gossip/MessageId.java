package dev.cairn.p2p.gossip;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A gossipsub message id: arbitrary bytes computed by the network's {@link MessageIdFunction}.
 * Immutable (the constructor and accessor copy), with value equality, so it can key maps.
 */
public record MessageId(byte[] bytes) {
  /** Longest id we accept from a peer; real ids are 20–80 bytes. */
  public static final int MAX_BYTES = 256;

  public MessageId {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  int length() {
    return bytes.length;
  }

  /** The id without copying, for the codec. Callers must not modify it. */
  byte[] unsafeBytes() {
    return bytes;
  }

  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    String hex = toHex();
    return hex.length() <= 16 ? hex : hex.substring(0, 16) + "…";
  }
}
