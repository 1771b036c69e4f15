package dev.cairn.p2p.crypto;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.multiformats.Varint;
import java.nio.ByteBuffer;

/**
 * The libp2p key protobuf, by hand because it must be byte-exact: {@code Type} (field 1, varint)
 * then {@code Data} (field 2, bytes), both always present, minimal varints, nothing else. A proto3
 * encoder would drop {@code Type = 0} (RSA), changing peer ids.
 */
final class KeyCodec {
  /** Longest public-key protobuf we decode: RSA-8192 public keys are about 1.1 KB. */
  static final int MAX_KEY_BYTES = 2048;

  /**
   * Longest private-key protobuf we decode (key files only, never from the network): an RSA-8192
   * PKCS#1 key is about 4.7 KB. We do not load RSA keys, but we read them far enough to say so.
   */
  static final int MAX_PRIVATE_KEY_BYTES = 8192;

  private KeyCodec() {}

  static byte[] encode(KeyType type, byte[] data) {
    byte[] out = new byte[2 + 1 + Varint.size(data.length) + data.length];
    out[0] = 0x08;
    out[1] = (byte) type.code();
    out[2] = 0x12;
    int at = Varint.write(data.length, out, 3);
    System.arraycopy(data, 0, out, at, data.length);
    return out;
  }

  /** A decoded (type, data) pair. */
  record Fields(KeyType type, byte[] data) {}

  static Fields decodeFields(byte[] protobuf) throws ProtocolException {
    return decodeFields(protobuf, MAX_KEY_BYTES);
  }

  static Fields decodeFields(byte[] protobuf, int maxBytes) throws ProtocolException {
    if (protobuf.length > maxBytes) {
      throw ProtocolException.stream(
          Reason.TOO_LARGE, "key protobuf of " + protobuf.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(protobuf);
    KeyType type = null;
    byte[] data = null;
    while (buf.hasRemaining()) {
      long tag = Varint.read(buf, Scope.STREAM);
      if (tag == 0x08 && type == null) {
        long code = Varint.read(buf, Scope.STREAM);
        type = KeyType.ofCode(code);
        if (type == null) {
          throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "unknown key type " + code);
        }
      } else if (tag == 0x12 && data == null) {
        int len = Varint.readLength(buf, maxBytes, Scope.STREAM);
        data = new byte[len];
        buf.get(data);
      } else {
        throw ProtocolException.stream(
            Reason.MALFORMED, "unexpected field in key protobuf: " + tag);
      }
    }
    if (type == null || data == null) {
      throw ProtocolException.stream(Reason.MALFORMED, "key protobuf lacks type or data");
    }
    return new Fields(type, data);
  }

  static PublicKey decodePublic(byte[] protobuf) throws ProtocolException {
    Fields f = decodeFields(protobuf);
    try {
      return switch (f.type()) {
        case ED25519 -> Ed25519PublicKey.of(f.data());
        case SECP256K1 -> Secp256k1PublicKey.of(f.data());
        case ECDSA -> EcdsaPublicKey.of(f.data());
        case RSA -> RsaPublicKey.of(f.data());
      };
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          Reason.MALFORMED, Scope.STREAM, "bad " + f.type() + " public key: " + e.getMessage(), e);
    }
  }

  static PrivateKey decodePrivate(byte[] protobuf) throws ProtocolException {
    Fields f = decodeFields(protobuf, MAX_PRIVATE_KEY_BYTES);
    try {
      return switch (f.type()) {
        case ED25519 -> Ed25519PrivateKey.fromLibp2pData(f.data());
        case SECP256K1 -> Secp256k1PrivateKey.of(f.data());
        case ECDSA, RSA ->
            throw ProtocolException.stream(
                Reason.UNKNOWN_TYPE, "private keys of type " + f.type() + " are not supported");
      };
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          Reason.MALFORMED, Scope.STREAM, "bad " + f.type() + " private key: " + e.getMessage(), e);
    }
  }
}
