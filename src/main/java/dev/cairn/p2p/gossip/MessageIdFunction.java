package dev.cairn.p2p.gossip;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Computes a message's id. It must be the same function on every node of a network, or gossip
 * (IHAVE/IWANT) and duplicate suppression stop working. Implementations are pure and thread-safe:
 * they run on the inbound stream's reader thread.
 */
@FunctionalInterface
public interface MessageIdFunction {

  /**
   * @param from the author's peer id bytes, or null under StrictNoSign
   * @param seqno the 8-byte sequence number, or null under StrictNoSign
   * @param data the payload (never null; empty when absent)
   */
  MessageId apply(String topic, byte[] from, byte[] seqno, byte[] data);

  /**
   * The spec's default: {@code from ‖ seqno} (raw bytes, as go and jvm-libp2p do). Only meaningful
   * under StrictSign; with neither field it falls back to {@link #sha256()}.
   */
  static MessageIdFunction fromAndSeqno() {
    return (topic, from, seqno, data) -> {
      if (from == null || seqno == null) {
        return sha256().apply(topic, from, seqno, data);
      }
      byte[] id = new byte[from.length + seqno.length];
      System.arraycopy(from, 0, id, 0, from.length);
      System.arraycopy(seqno, 0, id, from.length, seqno.length);
      return new MessageId(id);
    };
  }

  /** SHA-256 of the payload: a content id, what Cairn's chain topics use. */
  static MessageIdFunction sha256() {
    return (topic, from, seqno, data) -> {
      try {
        return new MessageId(MessageDigest.getInstance("SHA-256").digest(data));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is always present", e);
      }
    };
  }
}
