package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise SymmetricState (framework rev 34, §5.2) for SHA-256: the chaining key {@code ck}, the
 * handshake hash {@code h} and the current handshake cipher. Confined to the handshake thread.
 */
final class SymmetricState {
  static final int HASH_LEN = 32;

  private byte[] ck;
  private byte[] h;
  private CipherState cipher; // null until the first MixKey

  /** InitializeSymmetric: names of at most 32 bytes are zero-padded, longer ones hashed. */
  SymmetricState(String protocolName) {
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    h = name.length <= HASH_LEN ? Arrays.copyOf(name, HASH_LEN) : sha256(name);
    ck = h.clone();
  }

  void mixHash(byte[] data) {
    h = sha256(h, data);
  }

  void mixKey(byte[] inputKeyMaterial) {
    byte[][] out = hkdf(ck, inputKeyMaterial);
    ck = out[0];
    cipher = new CipherState(out[1]);
  }

  boolean hasKey() {
    return cipher != null;
  }

  byte[] encryptAndHash(byte[] plaintext) {
    byte[] ciphertext = cipher == null ? plaintext.clone() : cipher.encrypt(h, plaintext);
    mixHash(ciphertext);
    return ciphertext;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws ProtocolException {
    byte[] plaintext = cipher == null ? ciphertext.clone() : cipher.decrypt(h, ciphertext);
    mixHash(ciphertext);
    return plaintext;
  }

  /** Split: two transport cipher states, the initiator's sending one first. */
  CipherState[] split() {
    byte[][] out = hkdf(ck, new byte[0]);
    return new CipherState[] {new CipherState(out[0]), new CipherState(out[1])};
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  /**
   * The framework's two-output HKDF (§4.3): {@code temp = HMAC(ck, ikm)}, {@code out1 = HMAC(temp,
   * 0x01)}, {@code out2 = HMAC(temp, out1 ‖ 0x02)}.
   */
  static byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial) {
    byte[] temp = hmacSha256(chainingKey, inputKeyMaterial);
    byte[] out1 = hmacSha256(temp, new byte[] {0x01});
    byte[] out2 = hmacSha256(temp, out1, new byte[] {0x02});
    return new byte[][] {out1, out2};
  }
}
