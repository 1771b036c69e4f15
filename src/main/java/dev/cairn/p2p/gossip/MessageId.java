package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ByteValue;
import java.util.HexFormat;

/**
 * A gossipsub message id: arbitrary bytes computed by the network's {@link MessageIdFunction}.
 * Immutable (the constructor and accessor copy), with value equality, so it can key maps.
 */
public final class MessageId extends ByteValue {
  /** Longest id we accept from a peer; real ids are 20–80 bytes. */
  public static final int MAX_BYTES = 256;

  /** A copy of {@code bytes}. */
  public MessageId(byte[] bytes) {
    super(bytes.clone());
  }

  /** A copy of the id's bytes. */
  public byte[] bytes() {
    return content().clone();
  }

  int length() {
    return content().length;
  }

  /** The id without copying, for the codec. Callers must not modify it. */
  byte[] unsafeBytes() {
    return content();
  }

  public String toHex() {
    return HexFormat.of().formatHex(content());
  }

  @Override
  public String toString() {
    String hex = toHex();
    return hex.length() <= 16 ? hex : hex.substring(0, 16) + "…";
  }
}
