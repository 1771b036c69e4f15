package dev.cairn.node.sync;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.node.sync.SyncMessage.BlockTxs;
import dev.cairn.node.sync.SyncMessage.BlocksByHash;
import dev.cairn.node.sync.SyncMessage.BlocksByRange;
import dev.cairn.node.sync.SyncMessage.HeadersByLocator;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.pb.SyncProtos;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes ⇄ {@link SyncMessage} records for the sync requests (proto/sync.proto). Pure; every length
 * is checked against the limits below before anything is kept. The protobuf request itself is
 * bounded by the reqresp layer's {@code maxRequestBytes} before it reaches us.
 */
final class SyncCodec {
  /** Most hashes in a locator (a locator of a 2^50-block chain has about 60). */
  static final int MAX_LOCATOR = 64;

  /** Most headers in one answer. */
  static final int MAX_HEADERS = 2000;

  /** Most blocks in one answer (by hash or by range). */
  static final int MAX_BLOCKS = 128;

  /** Longest network name (as {@code NodeConfig} allows). */
  static final int MAX_NETWORK = 32;

  /** Cumulative work is at most 2^256 per block times 2^64 blocks: 40 bytes is ample. */
  static final int MAX_WORK_BYTES = 40;

  private SyncCodec() {}

  static byte[] encode(Status s) {
    return SyncProtos.Status.newBuilder()
        .setNetwork(s.network())
        .setGenesis(ByteString.copyFrom(s.genesis().bytes()))
        .setHead(ByteString.copyFrom(s.head().bytes()))
        .setHeight(s.height())
        .setCumulativeWork(ByteString.copyFrom(s.cumulativeWork().toByteArray()))
        .build()
        .toByteArray();
  }

  static Status decodeStatus(byte[] bytes) throws InvalidMessageException {
    SyncProtos.Status m = parse(SyncProtos.Status::parseFrom, bytes, "status");
    if (m.getNetwork().length() > MAX_NETWORK) {
      throw new InvalidMessageException("network name too long");
    }
    if (m.getCumulativeWork().size() > MAX_WORK_BYTES || m.getCumulativeWork().isEmpty()) {
      throw new InvalidMessageException("cumulative work of " + m.getCumulativeWork().size());
    }
    BigInteger work = new BigInteger(m.getCumulativeWork().toByteArray());
    if (work.signum() < 0 || m.getHeight() < 0) {
      throw new InvalidMessageException("negative work or height");
    }
    return new Status(m.getNetwork(), hash(m.getGenesis()), hash(m.getHead()), m.getHeight(), work);
  }

  static byte[] encode(HeadersByLocator r) {
    return SyncProtos.HeadersByLocator.newBuilder()
        .addAllLocator(bytes(r.locator()))
        .setMax(r.max())
        .build()
        .toByteArray();
  }

  static HeadersByLocator decodeHeadersByLocator(byte[] bytes) throws InvalidMessageException {
    SyncProtos.HeadersByLocator m =
        parse(SyncProtos.HeadersByLocator::parseFrom, bytes, "headers request");
    if (m.getLocatorCount() == 0 || m.getLocatorCount() > MAX_LOCATOR) {
      throw new InvalidMessageException("locator of " + m.getLocatorCount() + " hashes");
    }
    if (m.getMax() == 0 || m.getMax() > MAX_HEADERS) {
      throw new InvalidMessageException("max of " + Integer.toUnsignedString(m.getMax()));
    }
    return new HeadersByLocator(hashes(m.getLocatorList()), m.getMax());
  }

  static byte[] encode(BlocksByHash r) {
    return SyncProtos.BlocksByHash.newBuilder()
        .addAllHashes(bytes(r.hashes()))
        .build()
        .toByteArray();
  }

  static BlocksByHash decodeBlocksByHash(byte[] bytes) throws InvalidMessageException {
    SyncProtos.BlocksByHash m = parse(SyncProtos.BlocksByHash::parseFrom, bytes, "blocks request");
    if (m.getHashesCount() == 0 || m.getHashesCount() > MAX_BLOCKS) {
      throw new InvalidMessageException("request for " + m.getHashesCount() + " blocks");
    }
    return new BlocksByHash(hashes(m.getHashesList()));
  }

  static byte[] encode(BlocksByRange r) {
    return SyncProtos.BlocksByRange.newBuilder()
        .setStart(r.start())
        .setCount(r.count())
        .build()
        .toByteArray();
  }

  static BlocksByRange decodeBlocksByRange(byte[] bytes) throws InvalidMessageException {
    SyncProtos.BlocksByRange m = parse(SyncProtos.BlocksByRange::parseFrom, bytes, "range request");
    if (m.getCount() == 0 || m.getCount() > MAX_BLOCKS || m.getStart() < 0) {
      throw new InvalidMessageException(
          "range of " + Integer.toUnsignedString(m.getCount()) + " from " + m.getStart());
    }
    return new BlocksByRange(m.getStart(), m.getCount());
  }

  static byte[] encode(BlockTxs r) {
    SyncProtos.BlockTxs.Builder b =
        SyncProtos.BlockTxs.newBuilder().setBlockHash(ByteString.copyFrom(r.block().bytes()));
    for (int i : r.indexes()) {
      b.addIndexes(i);
    }
    return b.build().toByteArray();
  }

  /**
   * A block_txs request: 1 to {@link Limits#MAX_TRANSACTIONS} indexes, ascending and distinct, so
   * each is below the limit and the answer holds at most one block's transactions. (The reqresp
   * layer bounds the request's bytes before it is parsed.)
   */
  static BlockTxs decodeBlockTxs(byte[] bytes) throws InvalidMessageException {
    SyncProtos.BlockTxs m = parse(SyncProtos.BlockTxs::parseFrom, bytes, "block_txs request");
    int n = m.getIndexesCount();
    if (n == 0 || n > Limits.MAX_TRANSACTIONS) {
      throw new InvalidMessageException("request for " + n + " transactions");
    }
    int[] indexes = new int[n];
    long previous = -1;
    for (int i = 0; i < n; i++) {
      long index = Integer.toUnsignedLong(m.getIndexes(i));
      if (index <= previous || index >= Limits.MAX_TRANSACTIONS) {
        throw new InvalidMessageException("index " + index + " after " + previous);
      }
      indexes[i] = (int) index;
      previous = index;
    }
    return new BlockTxs(hash(m.getBlockHash()), indexes);
  }

  /** Parses protobuf bytes into {@code T}. */
  private interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  /** {@code parser}'s message, or an {@link InvalidMessageException} naming {@code what}. */
  private static <T> T parse(Parser<T> parser, byte[] bytes, String what)
      throws InvalidMessageException {
    try {
      return parser.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidMessageException("undecodable " + what + ": " + e.getMessage());
    }
  }

  private static List<ByteString> bytes(List<Hash> hashes) {
    return hashes.stream().map(h -> ByteString.copyFrom(h.bytes())).toList();
  }

  private static List<Hash> hashes(List<ByteString> list) throws InvalidMessageException {
    List<Hash> out = new ArrayList<>(list.size());
    for (ByteString b : list) {
      out.add(hash(b));
    }
    return out;
  }

  private static Hash hash(ByteString b) throws InvalidMessageException {
    if (b.size() != Hash.SIZE) {
      throw new InvalidMessageException("hash of " + b.size() + " bytes");
    }
    return Hash.of(b.toByteArray());
  }
}
