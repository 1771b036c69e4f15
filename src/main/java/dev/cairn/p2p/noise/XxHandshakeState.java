package dev.cairn.p2p.noise;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import java.util.Arrays;

/**
 * The Noise HandshakeState (framework rev 34, §5.3) for pattern XX, pure bytes in and out, no I/O:
 *
 * <pre>
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * <p>{@link #writeMessage} and {@link #readMessage} must alternate as the pattern and the role
 * dictate; after the third message {@link #split()} yields the transport ciphers. Confined to the
 * handshake thread.
 */
final class XxHandshakeState {
  static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

  static final int DH_LEN = DhKeyPair.LEN;
  static final int TAG_LEN = CipherState.TAG_LEN;

  /** Smallest valid message 1, 2 and 3 (with empty payloads). */
  static final int MIN_MSG1 = DH_LEN;

  static final int MIN_MSG2 = DH_LEN + DH_LEN + TAG_LEN + TAG_LEN;
  static final int MIN_MSG3 = DH_LEN + TAG_LEN + TAG_LEN;

  private final boolean initiator;
  private final SymmetricState ss;
  private final DhKeyPair s;
  private final DhKeyPair e;
  private byte[] rs;
  private byte[] re;
  private int step; // the index of the next pattern message, 0..3

  XxHandshakeState(boolean initiator, byte[] prologue, DhKeyPair s, DhKeyPair e) {
    this.initiator = initiator;
    this.s = s;
    this.e = e;
    this.ss = new SymmetricState(PROTOCOL_NAME);
    ss.mixHash(prologue);
  }

  /** Whether it is our turn to write (as opposed to read) the next message. */
  boolean ourTurn() {
    return step < 3 && (step % 2 == 0) == initiator;
  }

  boolean complete() {
    return step == 3;
  }

  byte[] writeMessage(byte[] payload) throws ProtocolException {
    if (!ourTurn()) {
      throw new IllegalStateException("not our turn to write (step " + step + ")");
    }
    byte[] out;
    switch (step) {
      case 0 -> {
        ss.mixHash(e.publicKey());
        out = concat(e.publicKey(), ss.encryptAndHash(payload));
      }
      case 1 -> {
        ss.mixHash(e.publicKey());
        ss.mixKey(e.agree(re));
        byte[] encryptedStatic = ss.encryptAndHash(s.publicKey());
        ss.mixKey(s.agree(re));
        out = concat(e.publicKey(), encryptedStatic, ss.encryptAndHash(payload));
      }
      case 2 -> {
        byte[] encryptedStatic = ss.encryptAndHash(s.publicKey());
        ss.mixKey(s.agree(re));
        out = concat(encryptedStatic, ss.encryptAndHash(payload));
      }
      default -> throw new IllegalStateException("handshake already complete");
    }
    step++;
    return out;
  }

  /** Processes the peer's next message and returns its (decrypted) payload. */
  byte[] readMessage(byte[] message) throws ProtocolException {
    if (ourTurn() || complete()) {
      throw new IllegalStateException("not our turn to read (step " + step + ")");
    }
    byte[] payload;
    switch (step) {
      case 0 -> {
        requireLength(message, MIN_MSG1, 1);
        re = Arrays.copyOfRange(message, 0, DH_LEN);
        ss.mixHash(re);
        payload = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LEN, message.length));
      }
      case 1 -> {
        requireLength(message, MIN_MSG2, 2);
        re = Arrays.copyOfRange(message, 0, DH_LEN);
        ss.mixHash(re);
        ss.mixKey(e.agree(re));
        int staticEnd = DH_LEN + DH_LEN + TAG_LEN;
        rs = ss.decryptAndHash(Arrays.copyOfRange(message, DH_LEN, staticEnd));
        ss.mixKey(e.agree(rs));
        payload = ss.decryptAndHash(Arrays.copyOfRange(message, staticEnd, message.length));
      }
      case 2 -> {
        requireLength(message, MIN_MSG3, 3);
        int staticEnd = DH_LEN + TAG_LEN;
        rs = ss.decryptAndHash(Arrays.copyOfRange(message, 0, staticEnd));
        ss.mixKey(e.agree(rs));
        payload = ss.decryptAndHash(Arrays.copyOfRange(message, staticEnd, message.length));
      }
      default -> throw new IllegalStateException("handshake already complete");
    }
    step++;
    return payload;
  }

  /**
   * Split, after the third message: {@code [sender, receiver]} for this side (the initiator sends
   * with the first key and receives with the second; the responder the other way round).
   */
  CipherState[] split() {
    if (!complete()) {
      throw new IllegalStateException("handshake not complete");
    }
    CipherState[] keys = ss.split();
    return initiator ? keys : new CipherState[] {keys[1], keys[0]};
  }

  /** The remote static X25519 key; known after message 2 (initiator) or 3 (responder). */
  byte[] remoteStatic() {
    if (rs == null) {
      throw new IllegalStateException("remote static key not yet received");
    }
    return rs.clone();
  }

  byte[] localStatic() {
    return s.publicKey().clone();
  }

  byte[] handshakeHash() {
    return ss.handshakeHash();
  }

  private static void requireLength(byte[] message, int min, int index) throws ProtocolException {
    if (message.length < min) {
      throw ProtocolException.connection(
          Reason.MALFORMED,
          "noise: handshake message "
              + index
              + " has "
              + message.length
              + " bytes, at least "
              + min
              + " needed");
    }
  }

  private static byte[] concat(byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    byte[] out = new byte[len];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
