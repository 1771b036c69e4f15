package dev.cairn.p2p.gossip;

/**
 * How messages are authored and checked (pubsub spec, "Signature Policy Options"). The deprecated
 * lax policies are not offered.
 */
public enum SignaturePolicy {
  /**
   * Every message carries {@code from}, an 8-byte {@code seqno}, a {@code signature} by the author
   * and, where the key is not inlined in the peer id, its {@code key}; anything else is rejected.
   * The libp2p default.
   */
  STRICT_SIGN,
  /**
   * Messages carry none of {@code from}, {@code seqno}, {@code signature}, {@code key}; a message
   * carrying any of them is rejected. Used by Cairn's chain topics (ids are content hashes).
   */
  STRICT_NO_SIGN
}
