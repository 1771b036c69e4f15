package dev.cairn.node.sync;

import static dev.cairn.node.protocol.CairnProtocols.BLOCKS_BY_HASH;
import static dev.cairn.node.protocol.CairnProtocols.BLOCKS_BY_RANGE;
import static dev.cairn.node.protocol.CairnProtocols.BLOCK_TXS;
import static dev.cairn.node.protocol.CairnProtocols.HEADERS_BY_LOCATOR;
import static dev.cairn.node.protocol.CairnProtocols.STATUS;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.protocol.CairnProtocols;
import dev.cairn.node.sync.SyncMessage.BlockTxs;
import dev.cairn.node.sync.SyncMessage.BlocksByHash;
import dev.cairn.node.sync.SyncMessage.BlocksByRange;
import dev.cairn.node.sync.SyncMessage.HeadersByLocator;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.StreamNegotiationException;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.reqresp.ReqRespConfig;
import dev.cairn.p2p.reqresp.ReqRespProtocol;
import dev.cairn.p2p.reqresp.RequestHandler;
import dev.cairn.p2p.reqresp.RpcCode;
import dev.cairn.p2p.reqresp.RpcException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.ObjLongConsumer;

/**
 * The four sync request/response protocols of one network, both sides: the server answers from a
 * {@link BlockSource}; the client methods send a request, decode and check the answer, and turn
 * every failure into a {@link SyncFailure} whose kind says what to do to the peer.
 *
 * <ul>
 *   <li>{@code /cairn/<network>/req/status/1}: request our {@link Status}, answer theirs (one
 *       chunk)
 *   <li>{@code /cairn/<network>/req/headers_by_locator/1}: up to 2,000 116-byte headers
 *   <li>{@code /cairn/<network>/req/blocks_by_hash/1}: up to 128 blocks, in the order asked
 *   <li>{@code /cairn/<network>/req/blocks_by_range/1}: up to 128 canonical blocks
 *   <li>{@code /cairn/<network>/req/block_txs/1}: some transactions of one block, by index (compact
 *       block relay: what the receiver's mempool lacked)
 * </ul>
 *
 * <p>Threading: requests and answers run on the caller's or the stream's virtual thread; this class
 * has no mutable state.
 */
public final class SyncRpc {
  /**
   * Most block bytes one blocks_by_hash or blocks_by_range answer may carry, checked while reading
   * (twice {@link ChainBlockSource#MAX_ANSWER_BYTES}, what our responder sends at most, so honest
   * answers always fit).
   */
  static final long MAX_BLOCKS_ANSWER_BYTES = 16L << 20;

  private final ReqRespProtocol status;
  private final ReqRespProtocol headers;
  private final ReqRespProtocol byHash;
  private final ReqRespProtocol byRange;
  private final ReqRespProtocol blockTxs;
  private volatile ObjLongConsumer<String> requestTimes = (protocol, nanos) -> {};

  private SyncRpc(
      ReqRespProtocol status,
      ReqRespProtocol headers,
      ReqRespProtocol byHash,
      ReqRespProtocol byRange,
      ReqRespProtocol blockTxs) {
    this.status = status;
    this.headers = headers;
    this.byHash = byHash;
    this.byRange = byRange;
    this.blockTxs = blockTxs;
  }

  /**
   * Bytes of the largest valid block_txs request: a 32-byte hash and {@link
   * Limits#MAX_TRANSACTIONS} indexes below 7,000 (two varint bytes each), with tags and lengths.
   */
  static final int MAX_BLOCK_TXS_REQUEST = 48 + 2 * Limits.MAX_TRANSACTIONS;

  /**
   * The block_txs answer's first byte and whole-answer deadlines (or the sync ones, if shorter): a
   * block waits on it before it is relayed, so a withholding announcer must not hold it long.
   */
  static final Duration BLOCK_TXS_FIRST_BYTE = Duration.ofSeconds(2);

  static final Duration BLOCK_TXS_ANSWER = Duration.ofSeconds(4);

  /**
   * The limits of each protocol: request sizes fit the largest valid request, chunk sizes the
   * largest valid item, and per peer at most 2 concurrent header or status requests and 4 block
   * requests, at 5 and 20 a second.
   */
  static List<ReqRespConfig> configs(String network, SyncConfig sync) {
    CairnProtocols ids = CairnProtocols.of(network);
    return List.of(
        limits(ids.request(STATUS), 512, 512, 1, 512, HEADER_RATE, sync),
        limits(
            ids.request(HEADERS_BY_LOCATOR),
            SyncCodec.MAX_LOCATOR * (Hash.SIZE + 2) + 16,
            Limits.HEADER_BYTES,
            SyncCodec.MAX_HEADERS,
            (long) SyncCodec.MAX_HEADERS * Limits.HEADER_BYTES,
            HEADER_RATE,
            sync),
        blockLimits(ids.request(BLOCKS_BY_HASH), SyncCodec.MAX_BLOCKS * (Hash.SIZE + 2) + 16, sync),
        blockLimits(ids.request(BLOCKS_BY_RANGE), 32, sync),
        new ReqRespConfig(
            ids.request(BLOCK_TXS),
            MAX_BLOCK_TXS_REQUEST,
            Limits.TRANSACTION_BYTES,
            Limits.MAX_TRANSACTIONS,
            min(BLOCK_TXS_FIRST_BYTE, sync.firstByteTimeout()),
            min(BLOCK_TXS_ANSWER, sync.responseTimeout()),
            BLOCK_RATE.concurrent(),
            BLOCK_RATE.perSecond(),
            BLOCK_RATE.burst(),
            (long) Limits.MAX_TRANSACTIONS * Limits.TRANSACTION_BYTES));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Requests one peer may have in progress at once, per second, and at once before the rate. */
  private record Rate(int concurrent, double perSecond, int burst) {}

  private static final Rate HEADER_RATE = new Rate(2, 5, 10);
  private static final Rate BLOCK_RATE = new Rate(4, 20, 40);

  /**
   * A block protocol: up to {@link SyncCodec#MAX_BLOCKS} blocks, {@link #MAX_BLOCKS_ANSWER_BYTES}.
   */
  private static ReqRespConfig blockLimits(String id, int requestBytes, SyncConfig sync) {
    return limits(
        id,
        requestBytes,
        Limits.MAX_BLOCK_BYTES,
        SyncCodec.MAX_BLOCKS,
        MAX_BLOCKS_ANSWER_BYTES,
        BLOCK_RATE,
        sync);
  }

  private static ReqRespConfig limits(
      String id,
      int requestBytes,
      int chunkBytes,
      int chunks,
      long answerBytes,
      Rate rate,
      SyncConfig sync) {
    return new ReqRespConfig(
        id,
        requestBytes,
        chunkBytes,
        chunks,
        sync.firstByteTimeout(),
        sync.responseTimeout(),
        rate.concurrent(),
        rate.perSecond(),
        rate.burst(),
        answerBytes);
  }

  /**
   * Serves the protocols on {@code host} from {@code source}. {@code onStatus} hears the status a
   * peer sends with its request (it must not block).
   */
  public static SyncRpc serve(
      Host host,
      String network,
      SyncConfig sync,
      BlockSource source,
      BiConsumer<PeerId, Status> onStatus) {
    return serve(host, network, sync, source, onStatus, (protocol, code) -> {});
  }

  /**
   * As {@link #serve(Host, String, SyncConfig, BlockSource, BiConsumer)}; {@code served} hears the
   * short name ({@code status}, {@code blocks_by_range}, ...) and result code of each answer.
   */
  public static SyncRpc serve(
      Host host,
      String network,
      SyncConfig sync,
      BlockSource source,
      BiConsumer<PeerId, Status> onStatus,
      BiConsumer<String, RpcCode> served) {
    List<ReqRespConfig> c = configs(network, sync);
    return new SyncRpc(
        ReqRespProtocol.serve(
            host, c.get(0), statusHandler(source, onStatus), answers(STATUS, served)),
        ReqRespProtocol.serve(
            host, c.get(1), headersHandler(source), answers(HEADERS_BY_LOCATOR, served)),
        ReqRespProtocol.serve(
            host, c.get(2), byHashHandler(source), answers(BLOCKS_BY_HASH, served)),
        ReqRespProtocol.serve(
            host, c.get(3), byRangeHandler(source), answers(BLOCKS_BY_RANGE, served)),
        ReqRespProtocol.serve(host, c.get(4), blockTxsHandler(source), answers(BLOCK_TXS, served)));
  }

  /**
   * Installs the listener that hears, after each request of ours, the protocol's short name and the
   * nanoseconds from sending it to the whole answer or the failure (for metrics; must not block).
   */
  public void onRequestTimed(ObjLongConsumer<String> listener) {
    this.requestTimes = listener;
  }

  private static ReqRespProtocol.AnswerListener answers(
      String name, BiConsumer<String, RpcCode> served) {
    return (peer, code) -> served.accept(name, code);
  }

  private static RequestHandler statusHandler(
      BlockSource source, BiConsumer<PeerId, Status> onStatus) {
    return (peer, request, out) -> {
      Status theirs = decode(() -> SyncCodec.decodeStatus(request));
      // Answer first: a peer we are about to refuse should learn why from our status.
      out.chunk(SyncCodec.encode(source.status()));
      onStatus.accept(peer, theirs);
    };
  }

  private static RequestHandler headersHandler(BlockSource source) {
    return (peer, request, out) -> {
      HeadersByLocator r = decode(() -> SyncCodec.decodeHeadersByLocator(request));
      List<BlockHeader> list = serverCall(() -> source.headersAfter(r.locator(), r.max()));
      for (BlockHeader h : list) {
        out.chunk(ChainCodec.encode(h));
      }
    };
  }

  private static RequestHandler byHashHandler(BlockSource source) {
    return (peer, request, out) -> {
      BlocksByHash r = decode(() -> SyncCodec.decodeBlocksByHash(request));
      List<Block> list = serverCall(() -> source.blocksByHash(r.hashes()));
      if (list.isEmpty()) {
        throw new RpcException(RpcCode.RESOURCE_UNAVAILABLE, "unknown block " + r.hashes().get(0));
      }
      for (Block b : list) {
        out.chunk(ChainCodec.encode(b));
      }
    };
  }

  private static RequestHandler byRangeHandler(BlockSource source) {
    return (peer, request, out) -> {
      BlocksByRange r = decode(() -> SyncCodec.decodeBlocksByRange(request));
      List<Block> list = serverCall(() -> source.blocksByRange(r.start(), r.count()));
      if (list.isEmpty()) {
        throw new RpcException(RpcCode.RESOURCE_UNAVAILABLE, "no block at " + r.start());
      }
      for (Block b : list) {
        out.chunk(ChainCodec.encode(b));
      }
    };
  }

  private static RequestHandler blockTxsHandler(BlockSource source) {
    return (peer, request, out) -> {
      BlockTxs r = decode(() -> SyncCodec.decodeBlockTxs(request));
      List<Block> found = serverCall(() -> source.blocksByHash(List.of(r.block())));
      if (found.isEmpty()) {
        throw new RpcException(RpcCode.RESOURCE_UNAVAILABLE, "unknown block " + r.block());
      }
      List<Transaction> txs = found.get(0).transactions();
      int last = r.indexes()[r.indexes().length - 1];
      if (last >= txs.size()) {
        throw new RpcException(
            RpcCode.INVALID_REQUEST, "index " + last + " of a block of " + txs.size());
      }
      for (int i : r.indexes()) {
        out.chunk(ChainCodec.encode(txs.get(i)));
      }
    };
  }

  private interface Decoding<T> {
    T get() throws InvalidMessageException;
  }

  private interface ServerCall<T> {
    T get() throws IOException;
  }

  private static <T> T decode(Decoding<T> d) throws RpcException {
    try {
      return d.get();
    } catch (InvalidMessageException e) {
      throw new RpcException(RpcCode.INVALID_REQUEST, e.getMessage());
    }
  }

  private static <T> T serverCall(ServerCall<T> c) throws RpcException {
    try {
      return c.get();
    } catch (IOException e) {
      throw new RpcException(RpcCode.SERVER_ERROR, "busy");
    }
  }

  // ---- client ----------------------------------------------------------------------------------

  /** Sends our status to {@code peer} and returns its own. */
  public Status status(PeerId peer, Status ours) throws SyncFailure {
    List<byte[]> chunks = call(status, peer, SyncCodec.encode(ours), 1, 512);
    if (chunks.size() != 1) {
      throw new SyncFailure(SyncFailure.Kind.INVALID, "status answer of " + chunks.size());
    }
    try {
      return SyncCodec.decodeStatus(chunks.get(0));
    } catch (InvalidMessageException e) {
      throw new SyncFailure(SyncFailure.Kind.INVALID, e.getMessage());
    }
  }

  /**
   * Headers after the fork point of {@code locator}, checked: the first one's parent is in the
   * locator, each next one is the child of the one before, and each meets its own target.
   */
  public List<BlockHeader> headers(PeerId peer, List<Hash> locator, int max) throws SyncFailure {
    List<byte[]> chunks =
        call(
            headers,
            peer,
            SyncCodec.encode(new HeadersByLocator(locator, max)),
            Math.max(1, max),
            (long) Math.max(1, max) * Limits.HEADER_BYTES);
    if (chunks.size() > max) {
      throw new SyncFailure(SyncFailure.Kind.INVALID, chunks.size() + " headers for " + max);
    }
    Set<Hash> known = new HashSet<>(locator);
    List<BlockHeader> out = new ArrayList<>(chunks.size());
    BlockHeader prev = null;
    for (byte[] c : chunks) {
      BlockHeader h;
      try {
        h = ChainCodec.decodeHeader(c);
      } catch (DecodeException e) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "header: " + e.getMessage());
      }
      boolean linked =
          prev == null
              ? known.contains(h.parent())
              : h.parent().equals(prev.hash()) && h.height() == prev.height() + 1;
      if (!linked) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "unlinked header at " + h.height());
      }
      if (!CompactTarget.isCanonical(h.bits()) || !ProofOfWork.meetsTarget(h)) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "header without work at " + h.height());
      }
      out.add(h);
      prev = h;
    }
    return out;
  }

  /**
   * The blocks named, in order; a shorter answer is a prefix of the request. Each block must be the
   * one asked for and carry the Merkle root of its transactions.
   */
  public List<Block> blocksByHash(PeerId peer, List<Hash> hashes) throws SyncFailure {
    List<byte[]> chunks =
        call(
            byHash,
            peer,
            SyncCodec.encode(new BlocksByHash(hashes)),
            hashes.size(),
            blockBudget(hashes.size()));
    if (chunks.size() > hashes.size()) {
      throw new SyncFailure(
          SyncFailure.Kind.INVALID, chunks.size() + " blocks for " + hashes.size());
    }
    List<Block> out = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      Block b = decodeBlock(chunks.get(i));
      if (!b.hash().equals(hashes.get(i))) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "unrequested block " + b.hash());
      }
      if (!b.computeMerkleRoot().equals(b.header().merkleRoot())) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "bad Merkle root in " + b.hash());
      }
      out.add(b);
    }
    return out;
  }

  /**
   * The transactions of {@code block} at {@code indexes} (ascending, distinct), in that order:
   * exactly as many as asked, each a well-formed transaction. Whether they are the block's is the
   * caller's check (their short ids, then the Merkle root).
   */
  public List<Transaction> blockTxs(PeerId peer, Hash block, int[] indexes) throws SyncFailure {
    List<byte[]> chunks =
        call(
            blockTxs,
            peer,
            SyncCodec.encode(new BlockTxs(block, Arrays.copyOf(indexes, indexes.length))),
            indexes.length,
            (long) indexes.length * Limits.TRANSACTION_BYTES);
    if (chunks.size() != indexes.length) {
      throw new SyncFailure(
          SyncFailure.Kind.INVALID, chunks.size() + " transactions for " + indexes.length);
    }
    List<Transaction> out = new ArrayList<>(chunks.size());
    for (byte[] c : chunks) {
      try {
        out.add(ChainCodec.decodeTransaction(c));
      } catch (DecodeException e) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "transaction: " + e.getMessage());
      }
    }
    return out;
  }

  /** Canonical blocks from {@code start}: consecutive heights, each the child of the one before. */
  public List<Block> blocksByRange(PeerId peer, long start, int count) throws SyncFailure {
    List<byte[]> chunks =
        call(
            byRange,
            peer,
            SyncCodec.encode(new BlocksByRange(start, count)),
            count,
            blockBudget(count));
    if (chunks.size() > count) {
      throw new SyncFailure(SyncFailure.Kind.INVALID, chunks.size() + " blocks for " + count);
    }
    List<Block> out = new ArrayList<>(chunks.size());
    for (byte[] c : chunks) {
      Block b = decodeBlock(c);
      long expected = start + out.size();
      boolean linked =
          b.header().height() == expected
              && (out.isEmpty() || b.header().parent().equals(out.getLast().hash()));
      if (!linked || !b.computeMerkleRoot().equals(b.header().merkleRoot())) {
        throw new SyncFailure(SyncFailure.Kind.INVALID, "bad block at " + expected);
      }
      out.add(b);
    }
    return out;
  }

  private static Block decodeBlock(byte[] bytes) throws SyncFailure {
    try {
      return ChainCodec.decodeBlock(bytes);
    } catch (DecodeException e) {
      throw new SyncFailure(SyncFailure.Kind.INVALID, "block: " + e.getMessage());
    }
  }

  /** The bytes an answer of {@code blocks} blocks may carry: each at most a block's limit. */
  static long blockBudget(int blocks) {
    return Math.min((long) Math.max(1, blocks) * Limits.MAX_BLOCK_BYTES, MAX_BLOCKS_ANSWER_BYTES);
  }

  /**
   * Sends {@code request} and reads at most {@code maxChunks} chunks and {@code maxBytes} in all
   * (what was asked for); more is a protocol violation the reqresp layer charges to the peer.
   */
  private List<byte[]> call(
      ReqRespProtocol p, PeerId peer, byte[] request, int maxChunks, long maxBytes)
      throws SyncFailure {
    long start = System.nanoTime();
    try {
      return exchange(p, peer, request, maxChunks, maxBytes);
    } finally {
      String name =
          p == status
              ? "status"
              : p == headers
                  ? "headers_by_locator"
                  : p == byHash ? "blocks_by_hash" : p == byRange ? "blocks_by_range" : "block_txs";
      requestTimes.accept(name, System.nanoTime() - start);
    }
  }

  private static List<byte[]> exchange(
      ReqRespProtocol p, PeerId peer, byte[] request, int maxChunks, long maxBytes)
      throws SyncFailure {
    try {
      return p.request(peer, request, Math.max(1, maxChunks), maxBytes);
    } catch (RpcException e) {
      SyncFailure.Kind kind =
          switch (e.code()) {
            case RESOURCE_UNAVAILABLE -> SyncFailure.Kind.UNAVAILABLE;
            case RATE_LIMITED, SERVER_ERROR -> SyncFailure.Kind.BUSY;
            // Our request was refused as malformed: our bug or a peer's quirk, not its fault.
            case INVALID_REQUEST, SUCCESS -> SyncFailure.Kind.IO;
          };
      throw new SyncFailure(kind, e.getMessage(), e);
    } catch (ProtocolException e) {
      SyncFailure.Kind kind =
          e.reason() == ProtocolException.Reason.TIMEOUT
              ? SyncFailure.Kind.TIMEOUT
              : SyncFailure.Kind.PROTOCOL;
      throw new SyncFailure(kind, e.getMessage(), e);
    } catch (StreamNegotiationException e) {
      throw new SyncFailure(SyncFailure.Kind.NOT_SUPPORTED, p.config().protocolId(), e);
    } catch (IOException e) {
      throw new SyncFailure(SyncFailure.Kind.IO, String.valueOf(e.getMessage()), e);
    }
  }
}
