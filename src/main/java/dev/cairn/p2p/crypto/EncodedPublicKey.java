package dev.cairn.p2p.crypto;

import dev.cairn.p2p.ByteValue;
import java.util.HexFormat;

/**
 * What every {@link PublicKey} shares: its type and the bytes it is encoded as (the key protobuf's
 * {@code Data} field), which give it its value semantics: two keys are equal when they are of the
 * same class with the same bytes.
 */
abstract class EncodedPublicKey extends ByteValue {
  private final KeyType type;

  /** {@code bytes} is owned by the key from now on (callers pass a copy). */
  EncodedPublicKey(KeyType type, byte[] bytes) {
    super(bytes);
    this.type = type;
  }

  public KeyType type() {
    return type;
  }

  /** The key protobuf's {@code Data} field: the raw key in the type's own encoding. */
  public byte[] raw() {
    return content().clone();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + HexFormat.of().formatHex(content()) + "]";
  }
}
