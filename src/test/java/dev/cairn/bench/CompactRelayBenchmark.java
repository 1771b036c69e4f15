package dev.cairn.bench;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.gossip.CompactBlock;
import dev.cairn.node.gossip.CompactCodec;
import dev.cairn.node.gossip.CompactRelay;
import dev.cairn.node.sync.BlockSource;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.SyncRpc;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipMessage;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.gossip.ValidationResult;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compact block relay over gossipsub across N hosts on 127.0.0.1 (real TCP, Noise, yamux): each
 * block's transactions are gossiped first on a transactions topic (every node keeps them, as a
 * mempool), then the block is published compact on the blocks topic. Each node's validator runs the
 * production path of {@code NodeGossip} up to the chain: {@link CompactCodec} decode, the header's
 * proof of work, {@link CompactRelay#obtain} (rebuild from the kept transactions, fetch what is
 * missing with {@code block_txs} from the peer that relayed it, over the production {@link
 * SyncRpc}), the Merkle root; the chain's own validation (signatures, state, RocksDB) is left out,
 * so the figure is the relay's, not the import's. The node then serves the block to its peers and
 * ACCEPTs, and gossipsub forwards the compact message.
 *
 * <p>By default the transactions are put into every node's store directly, as if gossiped first
 * (gossiping 3,000 transactions to 20 nodes takes tens of seconds a block on two shared cores, and
 * is not what is measured); {@code --gossip-txs} gossips them for real before each block.
 *
 * <p>Reported: publish-to-last-delivery of the block (median, p99, max) and process CPU per
 * delivered block byte (full block size × N-1), as for plain messages.
 */
final class CompactRelayBenchmark {
  static final String NETWORK = "bench";
  static final String BLOCKS = "/cairn/bench/blocks/1";
  static final String TXS = "/cairn/bench/txs/1";

  private CompactRelayBenchmark() {}

  /** A node: host, router, block_txs/blocks_by_hash server and client, kept txs and blocks. */
  private static final class Node implements BlockSource {
    final Libp2p p2p;
    final GossipRouter router;
    final SyncRpc rpc;
    final CompactRelay relay;
    final Map<Hash, Transaction> txs = new ConcurrentHashMap<>();
    final Map<Hash, Block> blocks = new ConcurrentHashMap<>();
    final LongAdder blamed = new LongAdder();

    Node(GossipConfig config) throws Exception {
      p2p =
          Libp2p.create(
              HostConfig.defaults(
                  Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
      router = GossipRouter.start(p2p.host(), config);
      rpc = SyncRpc.serve(p2p.host(), NETWORK, SyncConfig.defaults(), this, (p, s) -> {});
      relay =
          new CompactRelay(
              () -> txs.entrySet(),
              CompactRelay.Fetcher.of(rpc),
              (peer, points, reason) -> blamed.increment(),
              () -> router.meshPeers(BLOCKS),
              System::nanoTime);
      router.setValidator(TXS, this::validateTx);
      router.setValidator(BLOCKS, this::validateBlock);
    }

    CompletableFuture<ValidationResult> validateTx(GossipMessage m) {
      try {
        Transaction tx = ChainCodec.decodeTransaction(m.data());
        txs.put(tx.id(), tx);
        return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
      } catch (DecodeException e) {
        return CompletableFuture.completedFuture(ValidationResult.reject(e.getMessage()));
      }
    }

    CompletableFuture<ValidationResult> validateBlock(GossipMessage m) {
      CompactBlock c;
      try {
        c = CompactCodec.decode(m.data());
      } catch (DecodeException e) {
        return CompletableFuture.completedFuture(ValidationResult.reject(e.getMessage()));
      }
      if (!ProofOfWork.meetsTarget(c.header())) {
        return CompletableFuture.completedFuture(ValidationResult.reject("no work"));
      }
      CompletableFuture<ValidationResult> f = new CompletableFuture<>();
      Thread.ofVirtual()
          .name("compact-relay")
          .start(
              () -> {
                try {
                  var got = relay.obtain(c, m.receivedFrom());
                  if (got.isEmpty()) {
                    f.complete(ValidationResult.ignore("not obtained"));
                    return;
                  }
                  blocks.put(c.hash(), got.get().block());
                  f.complete(ValidationResult.ACCEPT);
                } catch (Exception e) {
                  f.completeExceptionally(e);
                }
              });
      return f;
    }

    @Override
    public Status status() {
      return new Status(NETWORK, Hash.ZERO, Hash.ZERO, 0, BigInteger.ONE);
    }

    @Override
    public List<BlockHeader> headersAfter(List<Hash> locator, int max) {
      return List.of();
    }

    @Override
    public List<Block> blocksByHash(List<Hash> hashes) {
      return ChainFixture.knownPrefix(blocks, hashes);
    }

    @Override
    public List<Block> blocksByRange(long start, int count) {
      return List.of();
    }

    void close() {
      router.close();
      p2p.close();
    }
  }

  static void run(
      int nodes,
      int degree,
      int txCount,
      int blockCount,
      int missing,
      boolean gossipTxs,
      Warmup warmup)
      throws Exception {
    GossipConfig config = GossipConfig.cairn();
    List<Node> all = new ArrayList<>();
    AtomicReference<CountDownLatch> txArrivals = new AtomicReference<>(new CountDownLatch(0));
    Map<Hash, GossipBenchmark.Delivery> deliveries = new ConcurrentHashMap<>();
    try {
      for (int i = 0; i < nodes; i++) {
        Node n = new Node(config);
        all.add(n);
        n.router.subscribe(TXS, m -> txArrivals.get().countDown());
        n.router.subscribe(
            BLOCKS,
            m -> {
              GossipBenchmark.Delivery d = deliveries.get(Hash.sha256(m.data()));
              if (d != null) {
                d.arrived();
              }
            });
      }
      GossipBenchmark.connect(all.stream().map(n -> n.p2p).toList(), degree);
      List<GossipRouter> routers = all.stream().map(n -> n.router).toList();
      GossipBenchmark.awaitMeshes(routers, BLOCKS, config.dLo());
      GossipBenchmark.awaitMeshes(routers, TXS, config.dLo());
      System.out.printf(
          Locale.ROOT,
          "compact relay: %d nodes, degree %d, %d transactions a block, %d not known first,"
              + " transactions %s, cores %d%n",
          nodes,
          degree,
          txCount,
          missing,
          gossipTxs ? "gossiped first" : "put into every store first",
          Runtime.getRuntime().availableProcessors());
      Random random = new Random(7);
      long warmStart = System.nanoTime();
      int warmed = 0;
      long[] lat = new long[blockCount];
      long cpu = 0;
      long blockBytes = 0;
      long compactBytes = 0;
      for (int k = 0, sent = 0; k < blockCount; sent++) {
        boolean measured = warmup.done(warmed, 3, warmStart); // stays true once true
        Node pub = all.get(sent % nodes);
        List<Transaction> txs = ChainFixture.Trivial.junkTransactions(random, txCount);
        Block block =
            ChainFixture.Trivial.mineOnGenesis(ChainFixture.Trivial.key(5).address(), txs);
        // the transactions first, in batches (each waited for), from rotating publishers
        int gossiped = txCount - missing;
        if (!gossipTxs) {
          for (Node n : all) {
            for (Transaction tx : txs.subList(0, gossiped)) {
              n.txs.put(tx.id(), tx);
            }
          }
        }
        for (int from = 0; gossipTxs && from < gossiped; from += 250) {
          int to = Math.min(gossiped, from + 250);
          CountDownLatch batch = new CountDownLatch((to - from) * (nodes - 1));
          txArrivals.set(batch);
          for (int t = from; t < to; t++) {
            Transaction tx = txs.get(t);
            Node p = all.get((sent + t) % nodes);
            p.txs.put(tx.id(), tx);
            p.router.publish(TXS, ChainCodec.encode(tx)).get(10, TimeUnit.SECONDS);
          }
          if (!batch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("transactions did not reach every node");
          }
        }
        for (Transaction tx : txs) {
          pub.txs.put(tx.id(), tx);
        }
        pub.blocks.put(block.hash(), block);
        byte[] compact = CompactCodec.encode(CompactBlock.of(block));
        GossipBenchmark.Delivery d = new GossipBenchmark.Delivery(nodes - 1);
        deliveries.put(Hash.sha256(compact), d);
        long cpu0 = GossipBenchmark.OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        pub.router.publish(BLOCKS, compact).get(10, TimeUnit.SECONDS);
        if (!d.await()) {
          throw new IllegalStateException("block " + sent + " did not reach every node");
        }
        if (!measured) {
          warmed++;
        } else {
          lat[k++] = d.last().get() - t0;
          cpu += GossipBenchmark.OS.getProcessCpuTime() - cpu0;
          blockBytes += block.encodedSize();
          compactBytes += compact.length;
        }
        for (Node n : all) {
          n.txs.clear();
        }
      }
      System.out.printf(Locale.ROOT, "compact relay: %d warm-up blocks first%n", warmed);
      long fetched = all.stream().mapToLong(n -> n.relay.stats().fetched()).sum();
      long whole = all.stream().mapToLong(n -> n.relay.stats().fullBlocks()).sum();
      long blamed = all.stream().mapToLong(n -> n.blamed.sum()).sum();
      GossipBenchmark.report(
          String.format(
              Locale.ROOT,
              "compact %d-tx block (%d B full, %d B compact)",
              txCount,
              blockBytes / blockCount,
              compactBytes / blockCount),
          lat,
          cpu / ((double) blockBytes * (nodes - 1)));
      System.out.printf(
          Locale.ROOT,
          "  transactions fetched by block_txs %d, whole blocks fetched %d, penalties %d%n",
          fetched,
          whole,
          blamed);
    } finally {
      all.forEach(Node::close);
    }
  }
}
