package dev.cairn.chain.consensus;

import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * SHA-256 proof of work: a header is valid work if SHA-256 of its 116 bytes, read as a big-endian
 * number, is at most its target. The nonce search hashes the 108-byte prefix once and, per nonce,
 * clones that digest state and hashes only the 8 nonce bytes.
 */
public final class ProofOfWork {
  private ProofOfWork() {}

  /** True if {@code header}'s hash is at most the target of its bits (bits must decode). */
  public static boolean meetsTarget(BlockHeader header) {
    return meetsTarget(header.hash(), header.bits());
  }

  /** True if {@code hash} is at most the target of {@code bits}. */
  public static boolean meetsTarget(Hash hash, int bits) {
    return Arrays.compareUnsigned(hash.bytes(), CompactTarget.targetBytes(bits)) <= 0;
  }

  /**
   * Searches nonces {@code start, start+1, …} ({@code count} of them, wrapping as unsigned) for one
   * whose header hash meets {@code bits}. {@code headerPrefix} is {@link BlockHeader#prefix()}.
   * Pure and thread-safe; a miner calls it in chunks and checks for a new head between chunks.
   */
  public static OptionalLong search(byte[] headerPrefix, int bits, long start, long count) {
    if (headerPrefix.length != ChainCodec.HEADER_PREFIX_BYTES) {
      throw new IllegalArgumentException("header prefix has 108 bytes");
    }
    byte[] target = CompactTarget.targetBytes(bits);
    MessageDigest prefixState = Hash.newSha256();
    prefixState.update(headerPrefix);
    byte[] tail = new byte[Long.BYTES];
    byte[] out = new byte[Hash.SIZE];
    try {
      for (long i = 0; i < count; i++) {
        long nonce = start + i;
        MessageDigest d = (MessageDigest) prefixState.clone();
        for (int k = 0; k < 8; k++) {
          tail[k] = (byte) (nonce >>> (56 - 8 * k));
        }
        d.update(tail, 0, 8);
        d.digest(out, 0, Hash.SIZE);
        if (Arrays.compareUnsigned(out, target) <= 0) {
          return OptionalLong.of(nonce);
        }
      }
    } catch (CloneNotSupportedException | DigestException e) {
      throw new IllegalStateException("the JDK's SHA-256 cannot be cloned", e);
    }
    return OptionalLong.empty();
  }
}
