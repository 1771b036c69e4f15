package dev.cairn.node;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.sync.BlockSource;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.SyncRpc;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.gossip.PublishResult;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.Transport;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that says and serves whatever a test scripts, built on our own libp2p host: it speaks the
 * sync protocols (status, headers by locator, blocks by hash and by range) from a scripted {@link
 * BlockSource} and publishes arbitrary bytes on the chain's gossip topics. It never syncs from
 * anyone and validates nothing; its status, headers and blocks may lie, stop early, be empty, be
 * "unavailable" or never come.
 *
 * <p>By default it is honest about the chain given to {@link #serve}: its status announces that
 * chain's head and work, and it answers every request from it. Each {@code xxx(...)} method
 * replaces one answer; the scripts run on the request's stream thread and may block ({@link
 * #withhold} makes them wait until the peer closes).
 */
public final class HostileChainPeer implements AutoCloseable {
  /** A scripted headers answer. */
  public interface HeadersScript {
    List<BlockHeader> answer(List<Hash> locator, int max) throws IOException;
  }

  /** A scripted blocks-by-hash answer. */
  public interface BlocksScript {
    List<Block> answer(List<Hash> hashes) throws IOException;
  }

  private final NetworkParams params;
  private final String network;
  private final Libp2p p2p;
  private final GossipRouter router;
  private final CountDownLatch closed = new CountDownLatch(1);

  private volatile List<Block> chain = List.of();
  private volatile Map<Hash, Integer> heights = Map.of();
  private volatile Status announced;
  private volatile HeadersScript headers = this::honestHeaders;
  private volatile BlocksScript blocks = this::honestBlocks;

  /** Requests seen, by protocol (for assertions). */
  public final AtomicInteger statusRequests = new AtomicInteger();

  public final AtomicInteger headerRequests = new AtomicInteger();
  public final AtomicInteger blockRequests = new AtomicInteger();

  /** Blocks it has sent in answers. */
  public final AtomicInteger blocksServed = new AtomicInteger();

  private HostileChainPeer(NetworkParams params, String network, Libp2p p2p, SyncConfig sync) {
    this.params = params;
    this.network = network;
    this.p2p = p2p;
    this.router = GossipRouter.start(p2p.host(), GossipConfig.cairn());
    // Join the topics so that the victim grafts us into its mesh and our publishes reach it.
    router.subscribe(NodeGossip.blocksTopic(network), m -> {});
    router.subscribe(NodeGossip.txsTopic(network), m -> {});
    SyncRpc.serve(p2p.host(), network, sync, new Source(), (peer, theirs) -> {});
  }

  /**
   * Starts a hostile peer of {@code network} (genesis from {@code params}) listening on {@code
   * listen} over {@code transport} (null: TCP), with an identity from {@code seed}.
   */
  public static HostileChainPeer start(
      NetworkParams params, String network, Transport transport, Multiaddr listen, long seed)
      throws IOException {
    byte[] key = new byte[32];
    new Random(seed).nextBytes(key);
    HostConfig hc = HostConfig.defaults(Ed25519PrivateKey.fromSeed(key), List.of(listen));
    if (transport != null) {
      hc = hc.withTransport(transport);
    }
    HostileChainPeer p =
        new HostileChainPeer(params, network, Libp2p.create(hc), SyncConfig.defaults());
    p.serve(List.of());
    return p;
  }

  // ---- scripting

  /**
   * Serves {@code blocks} (block 1 onward, each the child of the one before, on our genesis) as its
   * canonical chain and announces its head honestly (until {@link #announce} says otherwise).
   */
  public HostileChainPeer serve(List<Block> blocks) {
    Map<Hash, Integer> h = new HashMap<>();
    h.put(params.genesisHeader().hash(), 0);
    for (int i = 0; i < blocks.size(); i++) {
      h.put(blocks.get(i).hash(), i + 1);
    }
    chain = List.copyOf(blocks);
    heights = h;
    announced = honestStatus();
    return this;
  }

  /** Announces a head of {@code height} with {@code work} whatever it serves. */
  public HostileChainPeer announce(long height, BigInteger work) {
    Hash head = chain.isEmpty() ? params.genesisHeader().hash() : chain.getLast().hash();
    announced = new Status(network, params.genesisHeader().hash(), head, height, work);
    return this;
  }

  /** Answers headers requests with {@code script}. */
  public HostileChainPeer headers(HeadersScript script) {
    headers = script;
    return this;
  }

  /** Answers blocks-by-hash requests with {@code script}. */
  public HostileChainPeer blocks(BlocksScript script) {
    blocks = script;
    return this;
  }

  /** Never answers headers requests (the stream waits until the requester gives up). */
  public HostileChainPeer withholdHeaders() {
    return headers((locator, max) -> withhold());
  }

  /** Never answers blocks requests. */
  public HostileChainPeer withholdBlocks() {
    return blocks(hashes -> withhold());
  }

  /** Answers "unavailable" to every blocks request. */
  public HostileChainPeer unavailableBlocks() {
    return blocks(hashes -> List.of());
  }

  /** Answers no headers at all. */
  public HostileChainPeer emptyHeaders() {
    return headers((locator, max) -> List.of());
  }

  /** Waits until the peer closes, then answers nothing. */
  public <T> List<T> withhold() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.of();
  }

  // ---- acting

  /** Dials {@code address} (ending in {@code /p2p/<id>}). */
  public void dial(Multiaddr address) throws IOException {
    p2p.host().dial(address);
  }

  /** Publishes {@code data} on the blocks topic. */
  public CompletableFuture<PublishResult> publishBlockBytes(byte[] data) {
    return router.publish(NodeGossip.blocksTopic(network), data);
  }

  /** Publishes {@code block} on the blocks topic. */
  public CompletableFuture<PublishResult> publishBlock(Block block) {
    return publishBlockBytes(ChainCodec.encode(block));
  }

  /** Publishes {@code tx} on the transactions topic. */
  public CompletableFuture<PublishResult> publishTransaction(Transaction tx) {
    return router.publish(NodeGossip.txsTopic(network), ChainCodec.encode(tx));
  }

  /** True once {@code peer} is in our gossip router's view (so publishes can reach it). */
  public boolean gossipsWith(PeerId peer) {
    return router.topicPeers(NodeGossip.blocksTopic(network)).contains(peer);
  }

  public PeerId id() {
    return p2p.host().peerId();
  }

  /** Our full address (with {@code /p2p/<id>}). */
  public Multiaddr address() {
    return p2p.host().fullAddress().orElseThrow();
  }

  public boolean isConnected(PeerId peer) {
    return p2p.host().isConnected(peer);
  }

  /** The blocks it serves. */
  public List<Block> chain() {
    return chain;
  }

  @Override
  public void close() {
    closed.countDown();
    router.close();
    p2p.close();
  }

  // ---- honest defaults

  private Status honestStatus() {
    List<Block> c = chain;
    Hash head = c.isEmpty() ? params.genesisHeader().hash() : c.getLast().hash();
    BigInteger work = CompactTarget.work(params.genesisHeader().bits());
    for (Block b : c) {
      work = work.add(CompactTarget.work(b.header().bits()));
    }
    return new Status(network, params.genesisHeader().hash(), head, c.size(), work);
  }

  private List<BlockHeader> honestHeaders(List<Hash> locator, int max) {
    List<Block> c = chain;
    Map<Hash, Integer> h = heights;
    int start = 0;
    for (Hash l : locator) {
      Integer at = h.get(l);
      if (at != null) {
        start = at;
        break;
      }
    }
    List<BlockHeader> out = new ArrayList<>();
    for (int i = start; i < c.size() && out.size() < max; i++) {
      out.add(c.get(i).header());
    }
    return out;
  }

  private List<Block> honestBlocks(List<Hash> hashes) {
    List<Block> c = chain;
    Map<Hash, Integer> h = heights;
    List<Block> out = new ArrayList<>();
    for (Hash x : hashes) {
      Integer at = h.get(x);
      if (at == null || at == 0) {
        break;
      }
      out.add(c.get(at - 1));
    }
    return out;
  }

  private final class Source implements BlockSource {
    @Override
    public Status status() {
      statusRequests.incrementAndGet();
      return announced;
    }

    @Override
    public List<BlockHeader> headersAfter(List<Hash> locator, int max) throws IOException {
      headerRequests.incrementAndGet();
      return headers.answer(locator, max);
    }

    @Override
    public List<Block> blocksByHash(List<Hash> hashes) throws IOException {
      blockRequests.incrementAndGet();
      List<Block> out = blocks.answer(hashes);
      blocksServed.addAndGet(out.size());
      return out;
    }

    @Override
    public List<Block> blocksByRange(long start, int count) throws IOException {
      blockRequests.incrementAndGet();
      List<Block> c = chain;
      List<Block> out = new ArrayList<>();
      for (long i = Math.max(1, start); i <= c.size() && out.size() < count; i++) {
        out.add(c.get((int) i - 1));
      }
      blocksServed.addAndGet(out.size());
      return out;
    }
  }
}
