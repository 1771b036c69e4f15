package dev.cairn.chain;

import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Transactions whose signature verified, keyed by transaction id (SHA-256 of the full encoding,
 * signature included), so the chain owner skips the Ed25519 check for a transaction that a sync
 * worker already verified on another core, or that the mempool admitted (as Bitcoin's sigcache).
 * Only successful verifications go in, each under the id the cache computes itself from the very
 * transaction that was checked (no caller hands it an id or a verdict), and the key covers every
 * byte the check reads (sender key, signed fields, signature): a transaction that differs from a
 * cached one in any byte, a flipped signature bit included, misses and is verified. Bounded by
 * entries and by bytes ({@link #ENTRY_BYTES} per entry, an upper estimate of a map entry with its
 * 32-byte id); when full the oldest entry goes.
 *
 * <p>Thread-safe: sync workers {@link #verify} off the owner, the owner verifies through it while
 * applying blocks. The verification itself runs outside the lock.
 */
public final class SignatureCache implements Predicate<Transaction> {
  /** Estimated heap bytes of one entry: id record and array, map node, links. */
  public static final int ENTRY_BYTES = 160;

  /** Default bounds: 50,000 entries, 8 MiB (room for the batches sync verifies ahead). */
  public static final int DEFAULT_MAX_ENTRIES = 50_000;

  /** Default byte bound. */
  public static final long DEFAULT_MAX_BYTES = 8L << 20;

  private final Predicate<Transaction> verifier;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<Hash, Boolean> verified = new LinkedHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong verifications = new AtomicLong();

  /**
   * A cache in front of {@code verifier} holding at most {@code maxEntries} entries and {@code
   * maxBytes} bytes.
   */
  public SignatureCache(Predicate<Transaction> verifier, int maxEntries, long maxBytes) {
    if (maxEntries < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("negative bound");
    }
    this.verifier = verifier;
    this.capacity = (int) Math.min(maxEntries, maxBytes / ENTRY_BYTES);
  }

  /** A cache with the default bounds. */
  public static SignatureCache defaults(Predicate<Transaction> verifier) {
    return new SignatureCache(verifier, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES);
  }

  /** True if {@code tx}'s signature verifies: from the cache if its exact bytes passed before. */
  @Override
  public boolean test(Transaction tx) {
    return verify(tx);
  }

  /** As {@link #test}; a successful verification is remembered. */
  public boolean verify(Transaction tx) {
    return verify(tx, verifier);
  }

  /**
   * As {@link #verify(Transaction)}, running {@code check} on a miss instead of the cache's own
   * verifier: the mempool's admission path, whose signature check a test may instrument (in a node
   * it is the same Ed25519 check). {@code check} must be a full signature check; what it passes is
   * remembered like any verification, what it fails is not.
   */
  public boolean verify(Transaction tx, Predicate<Transaction> check) {
    Hash id = tx.id();
    lock.lock();
    try {
      if (verified.containsKey(id)) {
        hits.incrementAndGet();
        return true;
      }
    } finally {
      lock.unlock();
    }
    verifications.incrementAndGet();
    if (!check.test(tx)) {
      return false;
    }
    lock.lock();
    try {
      verified.put(id, Boolean.TRUE);
      while (verified.size() > capacity) {
        verified.pollFirstEntry();
      }
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** Verifications answered from the cache. */
  public long hits() {
    return hits.get();
  }

  /** Verifications that ran the verifier. */
  public long verifications() {
    return verifications.get();
  }

  /** Entries held. */
  public int size() {
    lock.lock();
    try {
      return verified.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Most entries it holds: the smaller of the entry bound and the byte bound / {@link
   * #ENTRY_BYTES}.
   */
  public int capacity() {
    return capacity;
  }
}
