package dev.cairn.chain.model;

import dev.cairn.chain.model.DecodeException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical consensus encodings of transactions, headers and blocks (docs/PROTOCOL.md): fixed
 * layouts, big-endian integers, no optional fields. Pure functions; decoders take untrusted bytes,
 * check every length against {@link Limits} before allocating and throw {@link DecodeException}.
 */
public final class ChainCodec {
  /** Bytes of a transaction before its signature (what is signed, after the domain tag). */
  public static final int TX_UNSIGNED_BYTES = Limits.TRANSACTION_BYTES - Keys.SIGNATURE_SIZE;

  /** Bytes of a header before its nonce (the miner's fixed prefix). */
  public static final int HEADER_PREFIX_BYTES = Limits.HEADER_BYTES - Long.BYTES;

  /** Header plus the transaction count. */
  public static final int BLOCK_FIXED_BYTES = Limits.HEADER_BYTES + Integer.BYTES;

  private ChainCodec() {}

  /** The 145-byte encoding of {@code tx}. */
  public static byte[] encode(Transaction tx) {
    byte[] out = new byte[Limits.TRANSACTION_BYTES];
    writeTx(tx, ByteBuffer.wrap(out));
    return out;
  }

  private static void writeTx(Transaction tx, ByteBuffer b) {
    b.put((byte) Transaction.VERSION);
    b.putInt(tx.chainId());
    b.put(tx.senderKey());
    b.put(tx.recipient().bytes());
    b.putLong(tx.amount());
    b.putLong(tx.fee());
    b.putLong(tx.nonce());
    b.put(tx.signature());
  }

  /** Decodes exactly one 145-byte transaction. */
  public static Transaction decodeTransaction(byte[] bytes) throws DecodeException {
    if (bytes.length < Limits.TRANSACTION_BYTES) {
      throw new DecodeException(
          Reason.TRUNCATED, "transaction has " + bytes.length + " of 145 bytes");
    }
    if (bytes.length > Limits.TRANSACTION_BYTES) {
      throw new DecodeException(
          Reason.TRAILING_BYTES, "transaction has " + bytes.length + " bytes");
    }
    return readTx(ByteBuffer.wrap(bytes));
  }

  private static Transaction readTx(ByteBuffer b) throws DecodeException {
    int version = b.get() & 0xff;
    if (version != Transaction.VERSION) {
      throw new DecodeException(Reason.UNSUPPORTED_VERSION, "transaction version " + version);
    }
    int chainId = b.getInt();
    byte[] key = take(b, Keys.PUBLIC_KEY_SIZE);
    Address to = Address.of(take(b, Address.SIZE));
    long amount = b.getLong();
    long fee = b.getLong();
    long nonce = b.getLong();
    return new Transaction(chainId, key, to, amount, fee, nonce, take(b, Keys.SIGNATURE_SIZE));
  }

  /** The 116-byte encoding of {@code header}. */
  public static byte[] encode(BlockHeader header) {
    byte[] out = new byte[Limits.HEADER_BYTES];
    writeHeader(header, ByteBuffer.wrap(out));
    return out;
  }

  private static void writeHeader(BlockHeader h, ByteBuffer b) {
    b.putInt(h.version());
    b.putLong(h.height());
    b.put(h.parent().bytes());
    b.put(h.merkleRoot().bytes());
    b.put(h.miner().bytes());
    b.putLong(h.timestamp());
    b.putInt(h.bits());
    b.putLong(h.nonce());
  }

  /** Decodes exactly one 116-byte header. */
  public static BlockHeader decodeHeader(byte[] bytes) throws DecodeException {
    if (bytes.length < Limits.HEADER_BYTES) {
      throw new DecodeException(Reason.TRUNCATED, "header has " + bytes.length + " of 116 bytes");
    }
    if (bytes.length > Limits.HEADER_BYTES) {
      throw new DecodeException(Reason.TRAILING_BYTES, "header has " + bytes.length + " bytes");
    }
    return readHeader(ByteBuffer.wrap(bytes));
  }

  private static BlockHeader readHeader(ByteBuffer b) throws DecodeException {
    int version = b.getInt();
    if (version != BlockHeader.VERSION) {
      throw new DecodeException(Reason.UNSUPPORTED_VERSION, "header version " + version);
    }
    long height = b.getLong();
    Hash parent = Hash.of(take(b, Hash.SIZE));
    Hash root = Hash.of(take(b, Hash.SIZE));
    Address miner = Address.of(take(b, Address.SIZE));
    long timestamp = b.getLong();
    int bits = b.getInt();
    long nonce = b.getLong();
    return new BlockHeader(version, height, parent, root, miner, timestamp, bits, nonce);
  }

  /** The next {@code n} bytes of {@code b} (the caller checked the length). */
  private static byte[] take(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  /** Header, transaction count (u32), then each transaction. */
  public static byte[] encode(Block block) {
    int size = block.encodedSize();
    if (block.transactions().size() > Limits.MAX_TRANSACTIONS || size > Limits.MAX_BLOCK_BYTES) {
      throw new IllegalArgumentException("block exceeds the consensus limits");
    }
    byte[] out = new byte[size];
    ByteBuffer b = ByteBuffer.wrap(out);
    writeHeader(block.header(), b);
    b.putInt(block.transactions().size());
    for (Transaction tx : block.transactions()) {
      writeTx(tx, b);
    }
    return out;
  }

  /** Decodes one block; the whole input must be the block. */
  public static Block decodeBlock(byte[] bytes) throws DecodeException {
    if (bytes.length > Limits.MAX_BLOCK_BYTES) {
      throw new DecodeException(Reason.TOO_LARGE, "block of " + bytes.length + " bytes");
    }
    if (bytes.length < BLOCK_FIXED_BYTES) {
      throw new DecodeException(Reason.TRUNCATED, "block has " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    BlockHeader header = readHeader(b);
    long count = Integer.toUnsignedLong(b.getInt());
    if (count > Limits.MAX_TRANSACTIONS) {
      throw new DecodeException(Reason.TOO_MANY_ITEMS, count + " transactions declared");
    }
    long expected = BLOCK_FIXED_BYTES + count * Limits.TRANSACTION_BYTES;
    if (bytes.length < expected) {
      throw new DecodeException(
          Reason.TRUNCATED, "block has " + bytes.length + " of " + expected + " bytes");
    }
    if (bytes.length > expected) {
      throw new DecodeException(
          Reason.TRAILING_BYTES, "block has " + bytes.length + " bytes, expected " + expected);
    }
    List<Transaction> txs = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      txs.add(readTx(b));
    }
    return new Block(header, txs);
  }
}
