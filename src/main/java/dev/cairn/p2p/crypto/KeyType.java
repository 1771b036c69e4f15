package dev.cairn.p2p.crypto;

/** libp2p's key types, with their numbers in the key protobuf's {@code Type} field. */
public enum KeyType {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
  ECDSA(3);

  private final int code;

  KeyType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type for a protobuf code, or null when the code is unknown. */
  static KeyType ofCode(long code) {
    for (KeyType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
