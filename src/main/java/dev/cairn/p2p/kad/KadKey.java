package dev.cairn.p2p.kad;

import dev.cairn.p2p.ByteValue;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * A point in the Kademlia keyspace: SHA-256 of the key bytes (for a peer, of its peer id bytes).
 * Distance is the XOR of two points read as an unsigned big-endian 256-bit number.
 */
final class KadKey extends ByteValue {
  private final byte[] digest;
  static final int BITS = 256;

  private KadKey(byte[] digest) {
    super(digest);
    this.digest = digest;
  }

  /** The point of an opaque key (for FIND_NODE, the target's peer id bytes). */
  static KadKey of(byte[] key) {
    try {
      return new KadKey(MessageDigest.getInstance("SHA-256").digest(key));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static KadKey of(PeerId peer) {
    return of(peer.bytes());
  }

  /** Leading bits {@code this} and {@code other} share: 0..255, or 256 when they are equal. */
  int commonPrefixLength(KadKey other) {
    for (int i = 0; i < digest.length; i++) {
      int x = (digest[i] ^ other.digest[i]) & 0xff;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return BITS;
  }

  /** Negative if {@code a} is closer to {@code this} than {@code b}, 0 at equal distance. */
  int compareDistance(KadKey a, KadKey b) {
    for (int i = 0; i < digest.length; i++) {
      int da = (a.digest[i] ^ digest[i]) & 0xff;
      int db = (b.digest[i] ^ digest[i]) & 0xff;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
  }

  BigInteger distance(KadKey other) {
    byte[] x = new byte[digest.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (byte) (digest[i] ^ other.digest[i]);
    }
    return new BigInteger(1, x);
  }

  /**
   * Random key bytes whose point shares exactly {@code cpl} leading bits with {@code this}: what a
   * bucket refresh looks up. The remote hashes whatever key we send, so we search preimages: about
   * 2^(cpl+1) hashes, hence the cap; returns null past {@code maxTries}.
   */
  byte[] randomKeyWithPrefix(int cpl, Random random, int maxTries) {
    byte[] key = new byte[32];
    for (int i = 0; i < maxTries; i++) {
      random.nextBytes(key);
      if (commonPrefixLength(of(key)) == cpl) {
        return key.clone();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return new BigInteger(1, digest).toString(16);
  }
}
