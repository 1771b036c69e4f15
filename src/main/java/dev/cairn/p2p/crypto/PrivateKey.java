package dev.cairn.p2p.crypto;

import dev.cairn.p2p.ProtocolException;

/**
 * Our own identity key. Never logged: {@link #toString()} names only the type and public key.
 * Immutable and safe to share between threads.
 */
public sealed interface PrivateKey permits Ed25519PrivateKey, Secp256k1PrivateKey {

  /** The key's type: its public key's. */
  default KeyType type() {
    return publicKey().type();
  }

  PublicKey publicKey();

  /** Signs {@code data} with the type's libp2p signature scheme. */
  byte[] sign(byte[] data);

  /** The libp2p PrivateKey protobuf (same shape as the public one), for the key file. */
  byte[] encode();

  /**
   * Decodes a libp2p PrivateKey protobuf (a key file). Ed25519 and secp256k1 are supported; RSA and
   * ECDSA private keys are rejected with {@link
   * dev.cairn.p2p.ProtocolException.Reason#UNKNOWN_TYPE}.
   */
  static PrivateKey decode(byte[] protobuf) throws ProtocolException {
    return KeyCodec.decodePrivate(protobuf);
  }
}
