package dev.cairn.node.sync;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.Template;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.ChainNetwork;
import dev.cairn.node.gossip.GossipScoring;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.Transport;
import dev.cairn.testing.MemoryTransport;
import dev.cairn.testing.TestNet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A node without the CLI for in-process tests: chain service, full libp2p host over a {@link
 * MemoryTransport}, gossip router, chain gossip and sync manager, wired by {@link ChainNetwork} as
 * {@code Node} wires them.
 */
public final class TestNode implements AutoCloseable {
  /** The test network's name (ChainFixture.Trivial.PARAMS). */
  public static final String NETWORK = "unit";

  /** Cairn's scored gossip (as {@code Node}'s) with a fast heartbeat, so meshes form in a test. */
  public static final GossipConfig GOSSIP =
      GossipScoring.scored(GossipConfig.cairn().withHeartbeat(Duration.ofMillis(100)), NETWORK);

  /** Short timeouts, a short status refresh. */
  public static final SyncConfig SYNC =
      SyncConfig.defaults()
          .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5))
          .withStatusRefresh(Duration.ofSeconds(2));

  public final ChainService chain;
  public final Libp2p p2p;
  public final GossipRouter router;
  public final NodeGossip gossip;
  public final SyncManager sync;

  private final ChainNetwork network;

  private TestNode(ChainService chain, Libp2p p2p, ChainNetwork network) {
    this.chain = chain;
    this.p2p = p2p;
    this.network = network;
    this.router = network.router();
    this.gossip = network.gossip();
    this.sync = network.sync();
  }

  /** A clock a day after genesis, so pre-mined test chains lie in the past. */
  public static Clock clock(NetworkParams params) {
    long offset = params.genesisTimestamp() + 86_400_000L - System.currentTimeMillis();
    return Clock.offset(Clock.systemUTC(), Duration.ofMillis(offset));
  }

  public static TestNode start(
      Transport net, Path dir, long seed, NetworkParams params, SyncConfig config)
      throws Exception {
    return start(net, dir, seed, params, config, ChainBlockSource::new);
  }

  public static TestNode start(
      Transport net,
      Path dir,
      long seed,
      NetworkParams params,
      SyncConfig config,
      Function<ChainService, BlockSource> source)
      throws Exception {
    ChainService chain =
        ChainService.start(
            params, ChainConfig.defaults().withSyncWrites(false), dir, clock(params));
    Libp2p p2p = Libp2p.create(TestNet.config(TestNet.key(seed), net));
    ChainNetwork network =
        ChainNetwork.start(
            p2p.host(),
            chain,
            NETWORK,
            GOSSIP,
            config,
            source.apply(chain),
            new NodeMetrics(new Metrics()));
    return new TestNode(chain, p2p, network);
  }

  public PeerId id() {
    return p2p.host().peerId();
  }

  /** Dials {@code other}. */
  public void connect(TestNode other) throws Exception {
    p2p.host().dial(other.p2p.host().fullAddress().orElseThrow());
  }

  public Hash head() {
    return chain.view().headHash();
  }

  public long height() {
    return chain.view().height();
  }

  /** Imports {@code blocks} locally, in order. */
  public void importAll(List<Block> blocks) throws Exception {
    for (Block b : blocks) {
      var r = chain.importBlock(b, "test").get(10, TimeUnit.SECONDS);
      if (!r.imported()) {
        throw new IllegalStateException("test import: " + r);
      }
    }
  }

  /** Mines one block on our head (with pooled transactions), imports and publishes it. */
  public Block mineAndPublish(Address miner) throws Exception {
    Template t = chain.blockTemplate(miner).get(10, TimeUnit.SECONDS);
    long nonce =
        ProofOfWork.search(t.header().prefix(), t.header().bits(), 0, Long.MAX_VALUE).orElseThrow();
    Block b = t.block(nonce);
    var r = chain.importBlock(b, "test miner").get(10, TimeUnit.SECONDS);
    if (!r.imported()) {
      throw new IllegalStateException("mined block not imported: " + r);
    }
    gossip.publishBlock(b).get(10, TimeUnit.SECONDS);
    return b;
  }

  /** Closes as {@code Node} does: publishing, sync, the router, then the host and the chain. */
  @Override
  public void close() {
    network.close();
    p2p.close();
    chain.close();
  }
}
