package dev.cairn.p2p.crypto;

import dev.cairn.p2p.ProtocolException;

/**
 * A peer's public identity key. Immutable and safe to share between threads. Its {@link #encode()
 * protobuf form} is byte-exact as libp2p requires, because peer ids and signatures are computed
 * over it.
 */
public sealed interface PublicKey
    permits Ed25519PublicKey, Secp256k1PublicKey, EcdsaPublicKey, RsaPublicKey {

  KeyType type();

  /** The key protobuf's {@code Data} field: the raw key in the type's own encoding. */
  byte[] raw();

  /** True when {@code signature} is this key's valid signature of {@code data}. Never throws. */
  boolean verify(byte[] data, byte[] signature);

  /** The deterministic libp2p PublicKey protobuf: {@code 08 <type> 12 <len> <data>}. */
  default byte[] encode() {
    return KeyCodec.encode(type(), raw());
  }

  /**
   * Decodes a libp2p PublicKey protobuf received from a peer: Ed25519, secp256k1 (compressed),
   * ECDSA (P-256) or RSA (2048 to 8192 bits). The input must be the canonical encoding, so that
   * {@link #encode()} gives back exactly these bytes.
   *
   * @throws ProtocolException (stream scope) on an unknown type or a malformed, oversized or
   *     non-canonical key
   */
  static PublicKey decode(byte[] protobuf) throws ProtocolException {
    return KeyCodec.decodePublic(protobuf);
  }
}
