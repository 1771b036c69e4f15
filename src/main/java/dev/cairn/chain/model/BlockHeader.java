package dev.cairn.chain.model;

/**
 * A block header: 116 bytes when encoded, nonce last so a miner hashes the fixed 108-byte prefix
 * once and only the tail per nonce. {@code timestamp} is milliseconds since the Unix epoch; {@code
 * bits} is the compact target; {@code miner} receives the block reward and the fees.
 */
public record BlockHeader(
    int version,
    long height,
    Hash parent,
    Hash merkleRoot,
    Address miner,
    long timestamp,
    int bits,
    long nonce) {
  /** The only header version so far. */
  public static final int VERSION = 1;

  /**
   * A header of the current version for a child of {@code parent}, nonce 0 (to be searched): the
   * shape of every template and test block.
   */
  public static BlockHeader child(
      BlockHeader parent, Hash merkleRoot, Address miner, long timestamp, int bits) {
    return new BlockHeader(
        VERSION, parent.height() + 1, parent.hash(), merkleRoot, miner, timestamp, bits, 0);
  }

  /** SHA-256 of the 116-byte encoding: the block hash, checked against the target. */
  public Hash hash() {
    return Hash.sha256(ChainCodec.encode(this));
  }

  /** The same header with another nonce. */
  public BlockHeader withNonce(long newNonce) {
    return new BlockHeader(version, height, parent, merkleRoot, miner, timestamp, bits, newNonce);
  }

  /** The same header with other bits. */
  public BlockHeader withBits(int newBits) {
    return new BlockHeader(version, height, parent, merkleRoot, miner, timestamp, newBits, nonce);
  }

  /** The first 108 bytes of the encoding: everything before the nonce. */
  public byte[] prefix() {
    return java.util.Arrays.copyOf(ChainCodec.encode(this), ChainCodec.HEADER_PREFIX_BYTES);
  }
}
