package dev.cairn.node.gossip;

import dev.cairn.chain.model.Hash;
import java.nio.charset.StandardCharsets;

/**
 * The short transaction ids of one compact block: SipHash-2-4 (Aumasson and Bernstein, 2012) of the
 * transaction id, keyed per block, cut to its low {@code bytes} bytes. The key is the first 16
 * bytes of {@code SHA256("cairn-short-ids" ‖ block hash)}, so a sender must redo the block's proof
 * of work to choose which transactions collide, and a collision in one block says nothing of the
 * next. Pure; thread-safe.
 */
public final class ShortIds {
  /** Bytes per short id in the compact blocks we send (48 bits, as BIP152). */
  public static final int DEFAULT_BYTES = 6;

  /** Most bytes per short id (a whole SipHash output). */
  public static final int MAX_BYTES = 8;

  private static final byte[] DOMAIN = "cairn-short-ids".getBytes(StandardCharsets.US_ASCII);

  private final long k0;
  private final long k1;
  private final int bytes;
  private final long mask;

  private ShortIds(long k0, long k1, int bytes) {
    if (bytes < 1 || bytes > MAX_BYTES) {
      throw new IllegalArgumentException("short ids of " + bytes + " bytes");
    }
    this.k0 = k0;
    this.k1 = k1;
    this.bytes = bytes;
    this.mask = bytes == MAX_BYTES ? -1L : (1L << (8 * bytes)) - 1;
  }

  /** The short ids of the block {@code blockHash}, {@code bytes} bytes each. */
  public static ShortIds of(Hash blockHash, int bytes) {
    byte[] key = Hash.sha256(DOMAIN, blockHash.bytes()).bytes();
    return new ShortIds(littleEndian(key, 0, 8), littleEndian(key, 8, 8), bytes);
  }

  /** With the raw SipHash key {@code key} (16 bytes): for the reference test vectors. */
  static ShortIds ofKey(byte[] key, int bytes) {
    return new ShortIds(littleEndian(key, 0, 8), littleEndian(key, 8, 8), bytes);
  }

  /** Bytes per short id. */
  public int bytes() {
    return bytes;
  }

  /** The short id of the transaction {@code txId}. */
  public long of(Hash txId) {
    return sipHash(txId.bytes()) & mask;
  }

  /** SipHash-2-4 of {@code m} under this key (the whole 64-bit output). */
  long sipHash(byte[] m) {
    long[] v = {
      k0 ^ 0x736f6d6570736575L,
      k1 ^ 0x646f72616e646f6dL,
      k0 ^ 0x6c7967656e657261L,
      k1 ^ 0x7465646279746573L
    };
    int whole = m.length - m.length % 8;
    for (int i = 0; i < whole; i += 8) {
      compress(v, littleEndian(m, i, 8));
    }
    compress(v, ((long) m.length << 56) | littleEndian(m, whole, m.length - whole));
    v[2] ^= 0xff;
    for (int r = 0; r < 4; r++) {
      round(v);
    }
    return v[0] ^ v[1] ^ v[2] ^ v[3];
  }

  /** One message word: two rounds (the "2" of SipHash-2-4). */
  private static void compress(long[] v, long w) {
    v[3] ^= w;
    round(v);
    round(v);
    v[0] ^= w;
  }

  private static void round(long[] v) {
    v[0] += v[1];
    v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
    v[0] = Long.rotateLeft(v[0], 32);
    v[2] += v[3];
    v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
    v[2] = Long.rotateLeft(v[2], 32);
  }

  /** {@code n} bytes of {@code b} from {@code off} as a little-endian number. */
  static long littleEndian(byte[] b, int off, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }
}
