package dev.cairn.chain.model;

import java.security.MessageDigest;
import java.util.List;

/**
 * Merkle tree hash as in RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ id), node = SHA-256(0x01 ‖ left ‖
 * right), split at the largest power of two below n, empty tree = SHA-256(""). The prefixes keep
 * leaves and nodes apart, and nothing is duplicated (so Bitcoin's CVE-2012-2459 cannot happen).
 */
public final class Merkle {
  private Merkle() {}

  /** The root over {@code ids} in order. */
  public static Hash root(List<Hash> ids) {
    MessageDigest md = Hash.newSha256();
    if (ids.isEmpty()) {
      return Hash.of(md.digest());
    }
    byte[][] level = new byte[ids.size()][];
    for (int i = 0; i < ids.size(); i++) {
      md.update((byte) 0);
      md.update(ids.get(i).bytes());
      level[i] = md.digest();
    }
    return Hash.of(subtree(level, 0, level.length, md));
  }

  private static byte[] subtree(byte[][] leaves, int from, int to, MessageDigest md) {
    int n = to - from;
    if (n == 1) {
      return leaves[from];
    }
    int k = Integer.highestOneBit(n - 1);
    byte[] left = subtree(leaves, from, from + k, md);
    byte[] right = subtree(leaves, from + k, to, md);
    md.update((byte) 1);
    md.update(left);
    md.update(right);
    return md.digest();
  }
}
