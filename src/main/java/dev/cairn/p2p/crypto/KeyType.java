package dev.cairn.p2p.crypto;

import dev.cairn.p2p.WireCode;

/** libp2p's key types, with their numbers in the key protobuf's {@code Type} field. */
public enum KeyType implements WireCode {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
  ECDSA(3);

  private final int code;

  KeyType(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /** The type for a protobuf code, or null when the code is unknown. */
  static KeyType ofCode(long code) {
    return WireCode.lookup(values(), code);
  }
}
