package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState with a key: ChaCha20-Poly1305 (RFC 8439) under {@code k} with the 64-bit
 * counter {@code n}. The 96-bit AEAD nonce is 4 zero bytes followed by {@code n} in little-endian
 * order, as the Noise framework (rev 34, §12.4) specifies for ChaChaPoly.
 *
 * <p>Not thread-safe: each instance is confined to one thread (the handshake thread, then the
 * session's reader or its writers). One JDK {@link Cipher} is reused and re-initialised with the
 * next nonce for every message; that is cheap and keeps the JDK's intrinsics warm.
 */
final class CipherState {
  static final int KEY_LEN = 32;
  static final int TAG_LEN = 16;

  private static final byte[] NO_AD = new byte[0];

  private final SecretKeySpec key;
  private final Cipher cipher;
  private final byte[] nonceBytes = new byte[12];
  private long n;

  CipherState(byte[] k) {
    if (k.length != KEY_LEN) {
      throw new IllegalArgumentException("ChaChaPoly key must be 32 bytes");
    }
    this.key = new SecretKeySpec(k, "ChaCha20");
    try {
      this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks ChaCha20-Poly1305", e);
    }
  }

  /** The next nonce value, for tests. */
  long nonce() {
    return n;
  }

  /** The 12-byte AEAD nonce for counter {@code n}: 4 zero bytes ‖ little-endian 64-bit n. */
  static byte[] nonceBytes(long n) {
    byte[] out = new byte[12];
    writeNonce(n, out);
    return out;
  }

  private static void writeNonce(long n, byte[] out) {
    for (int i = 0; i < 8; i++) {
      out[4 + i] = (byte) (n >>> (8 * i));
    }
  }

  /**
   * Encrypts {@code len} bytes at {@code in[off]} with associated data {@code ad} into {@code out}
   * at {@code outOff}; writes {@code len + 16} bytes and returns that count.
   */
  int encrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) {
    init(Cipher.ENCRYPT_MODE);
    try {
      return finish(ad, in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /**
   * Starts encrypting one message piece by piece, with empty associated data: {@link
   * #encryptUpdate} any number of times, then {@link #encryptFinish}. Consumes the nonce now.
   */
  void beginEncrypt() {
    init(Cipher.ENCRYPT_MODE);
  }

  /**
   * Encrypts the next {@code len} bytes of the message begun by {@link #beginEncrypt()} from {@code
   * in[off]} into {@code out[outOff]} (they may be the same range); writes exactly {@code len}
   * bytes.
   */
  void encryptUpdate(byte[] in, int off, int len, byte[] out, int outOff) {
    try {
      int n = cipher.update(in, off, len, out, outOff);
      if (n != len) {
        throw new IllegalStateException("ChaCha20-Poly1305 held back " + (len - n) + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /** Ends the message: writes its 16-byte tag at {@code out[outOff]} and returns 16. */
  int encryptFinish(byte[] out, int outOff) {
    try {
      return cipher.doFinal(out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  byte[] encrypt(byte[] ad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + TAG_LEN];
    encrypt(ad, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  byte[] encrypt(byte[] plaintext) {
    return encrypt(NO_AD, plaintext);
  }

  /**
   * Decrypts and authenticates {@code len} bytes (ciphertext ‖ tag) at {@code in[off]} into {@code
   * out} at {@code outOff}; returns the plaintext length {@code len - 16}. A wrong tag is a peer
   * fault: {@link Reason#BAD_SIGNATURE}, connection scope. The nonce advances only on success, as
   * the framework requires.
   */
  int decrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff)
      throws ProtocolException {
    if (len < TAG_LEN) {
      throw ProtocolException.connection(
          Reason.MALFORMED, "noise: ciphertext of " + len + " bytes is shorter than its tag");
    }
    init(Cipher.DECRYPT_MODE);
    try {
      return finish(ad, in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      n--; // a failed decryption does not consume the nonce
      throw ProtocolException.connection(
          Reason.BAD_SIGNATURE, "noise: authentication tag did not verify");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  /** Runs the initialised cipher over {@code ad} and {@code len} bytes at {@code in[off]}. */
  private int finish(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (ad.length > 0) {
      cipher.updateAAD(ad);
    }
    return cipher.doFinal(in, off, len, out, outOff);
  }

  byte[] decrypt(byte[] ad, byte[] ciphertext) throws ProtocolException {
    if (ciphertext.length < TAG_LEN) {
      throw ProtocolException.connection(
          Reason.MALFORMED,
          "noise: ciphertext of " + ciphertext.length + " bytes is shorter than its tag");
    }
    byte[] out = new byte[ciphertext.length - TAG_LEN];
    decrypt(ad, ciphertext, 0, ciphertext.length, out, 0);
    return out;
  }

  byte[] decrypt(byte[] ciphertext) throws ProtocolException {
    return decrypt(NO_AD, ciphertext);
  }

  private void init(int mode) {
    // 2^64-1 is reserved by the framework; a session that got here must be dropped.
    if (n == -1L) {
      throw new IllegalStateException("noise: nonce space exhausted, the connection must close");
    }
    writeNonce(n, nonceBytes);
    try {
      cipher.init(mode, key, new IvParameterSpec(nonceBytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise ChaCha20-Poly1305", e);
    }
    n++;
  }
}
