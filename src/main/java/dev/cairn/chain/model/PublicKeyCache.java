package dev.cairn.chain.model;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 verification that remembers decoded public keys. Decoding a key (a square root in the
 * field) is about a tenth of a verification, and a chain's transactions come from far fewer keys
 * than signatures: a synced block of 20 transfers from a few hundred accounts decodes almost none.
 *
 * <p>Accepts exactly what {@code Ed25519.verify(sig, 0, key, 0, msg, 0, len)} accepts: the key is
 * decoded by the same checks that call makes ({@code validatePublicKeyPartialExport}: canonical
 * encoding, on the curve, the same rejections), and a decoded point is used only if it encodes back
 * to the very key bytes, so the hashed {@code R ‖ A ‖ M} is the same; otherwise the plain call
 * decides. What is cached changes cost, never a verdict: a bad signature under a cached key is
 * rejected as before.
 *
 * <p>Bounds and eviction: at most {@link #capacity()} keys, the smaller of an entry bound and a
 * byte bound / {@link #ENTRY_BYTES}; least recently used first out. A key goes in only after a
 * signature under it verified, so bad signatures or undecodable keys never take room. A peer
 * sending ever-fresh keys gets no more work out of us than with no cache: a miss decodes the key
 * once, as the plain call does inside, then verifies with the point; the extra is one map lookup,
 * one insertion and at most one eviction, all constant time (keys compare as unsigned bytes, so a
 * crafted hash collision degrades a bin to a tree, not a list).
 *
 * <p>Thread-safe (verifier threads and the chain owner share one); the curve work runs outside the
 * lock.
 */
final class PublicKeyCache {
  /**
   * Estimated heap bytes of one entry: the 32-byte key and its wrapper, the decoded point (two
   * field elements of ten ints) and its object, the map node and its table slot.
   */
  static final int ENTRY_BYTES = 256;

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<KeyBytes, Ed25519.PublicPoint> points =
      new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /** A cache of at most {@code maxEntries} keys and {@code maxBytes} estimated bytes. */
  PublicKeyCache(int maxEntries, long maxBytes) {
    if (maxEntries < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("negative bound");
    }
    this.capacity = (int) Math.min(maxEntries, maxBytes / ENTRY_BYTES);
  }

  /** True if {@code signature} is a valid Ed25519 signature of {@code message} by {@code key}. */
  boolean verify(byte[] key, byte[] message, byte[] signature) {
    KeyBytes k = new KeyBytes(key);
    Ed25519.PublicPoint point;
    lock.lock();
    try {
      point = points.get(k);
    } finally {
      lock.unlock();
    }
    if (point != null) {
      hits.incrementAndGet();
      return Ed25519.verify(signature, 0, point, message, 0, message.length);
    }
    misses.incrementAndGet();
    point = Ed25519.validatePublicKeyPartialExport(key, 0);
    if (point == null) {
      return false; // the plain call rejects such a key for every signature
    }
    byte[] encoded = new byte[Keys.PUBLIC_KEY_SIZE];
    Ed25519.encodePublicPoint(point, encoded, 0);
    if (!Arrays.equals(encoded, key)) {
      // not expected (the checks admit canonical encodings only); let the plain call decide
      return Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
    }
    if (!Ed25519.verify(signature, 0, point, message, 0, message.length)) {
      return false;
    }
    if (capacity > 0) {
      lock.lock();
      try {
        points.put(k, point);
        if (points.size() > capacity) {
          Iterator<KeyBytes> eldest = points.keySet().iterator();
          eldest.next();
          eldest.remove();
        }
      } finally {
        lock.unlock();
      }
    }
    return true;
  }

  /** True if {@code key} is held (does not count as a use). */
  boolean holds(byte[] key) {
    lock.lock();
    try {
      return points.containsKey(new KeyBytes(key));
    } finally {
      lock.unlock();
    }
  }

  /** Keys held. */
  int size() {
    lock.lock();
    try {
      return points.size();
    } finally {
      lock.unlock();
    }
  }

  /** Most keys held: the smaller of the entry bound and the byte bound / {@link #ENTRY_BYTES}. */
  int capacity() {
    return capacity;
  }

  /** Verifications that found their key decoded. */
  long hits() {
    return hits.get();
  }

  /** Verifications that decoded their key. */
  long misses() {
    return misses.get();
  }

  /** A key's 32 bytes (copied) as a map key, ordered as unsigned bytes. */
  private record KeyBytes(byte[] bytes) implements Comparable<KeyBytes> {
    KeyBytes {
      bytes = bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyBytes k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(KeyBytes o) {
      return Arrays.compareUnsigned(bytes, o.bytes);
    }
  }
}
