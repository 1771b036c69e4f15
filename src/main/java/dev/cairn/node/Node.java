package dev.cairn.node;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.api.HttpApi;
import dev.cairn.node.api.StatusHistory;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.miner.MiningSwitch;
import dev.cairn.node.sync.SyncManager;
import dev.cairn.node.sync.SyncStatus;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.KeyFile;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.kad.KadDht;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A running Cairn node: its parts, and their stop. The only place where chain and p2p meet
 * (DESIGN.md). {@link #start} assembles the parts ({@link NodeAssembly}); from then on the node
 * holds exactly those parts and never changes them.
 */
public final class Node implements AutoCloseable {
  /** How long after start a node with bootnodes but no peer warns about it. */
  static final Duration BOOTNODE_CHECK = Duration.ofSeconds(15);

  /**
   * What a node is made of, all started.
   *
   * @param mining the miner's switch (off on a node that does not mine)
   * @param history the status page's samples of height and peers, null when the API is off
   * @param apiAddress the API's bound address, null when the API is off
   * @param closing opened when the node starts to stop (the watchdog and the bootnode threads end)
   */
  record Parts(
      NodeConfig config,
      NetworkParams params,
      ChainService chain,
      Libp2p p2p,
      ChainNetwork network,
      KadDht dht,
      MiningSwitch mining,
      StatusHistory history,
      Metrics metrics,
      NodeMetrics nodeMetrics,
      HttpApi api,
      NodeHealth health,
      InetSocketAddress apiAddress,
      CountDownLatch closing) {}

  private final Parts parts;

  Node(Parts parts) {
    this.parts = parts;
  }

  /** Opens the key, starts the host and the API, and dials the bootnodes. */
  public static Node start(NodeConfig config) throws IOException {
    Files.createDirectories(config.dataDir());
    PrivateKey identity = KeyFile.loadOrCreate(config.nodeKeyFile());
    return new NodeAssembly(config, networkParams(config)).start(identity);
  }

  /** The built-in network file, or {@code --genesis-file} if given (its name must match). */
  static NetworkParams networkParams(NodeConfig config) throws IOException {
    if (config.genesisFile() == null) {
      return GenesisFile.load(config.network());
    }
    NetworkParams params;
    try (var in = Files.newInputStream(config.genesisFile())) {
      params = GenesisFile.parse(in);
    } catch (IOException e) {
      throw new IOException("genesis file " + config.genesisFile() + ": " + e.getMessage(), e);
    }
    if (!params.name().equals(config.network())) {
      throw new IllegalArgumentException(
          "genesis file "
              + config.genesisFile()
              + " is for network '"
              + params.name()
              + "', not '"
              + config.network()
              + "'");
    }
    return params;
  }

  /** Why the node is unhealthy (an owner stopped, and its cause), or empty while every one runs. */
  public Optional<String> unhealthy() {
    return parts.health().problem();
  }

  /**
   * Completes with the reason (already logged at ERROR) when an owner stops while the node is not
   * closing; {@code cairn node} then exits non-zero.
   */
  public CompletableFuture<String> ownerStopped() {
    return parts.health().ownerStopped();
  }

  public Libp2p p2p() {
    return parts.p2p();
  }

  public Metrics metrics() {
    return parts.metrics();
  }

  /** The node's named metrics, for gossip, sync and request handlers to record events. */
  public NodeMetrics nodeMetrics() {
    return parts.nodeMetrics();
  }

  /** The network's consensus parameters (chain id, genesis, ...). */
  public NetworkParams params() {
    return parts.params();
  }

  /** The API's bound address, or null when the API is off. */
  public InetSocketAddress apiAddress() {
    return parts.apiAddress();
  }

  public ChainService chain() {
    return parts.chain();
  }

  /** Sync progress (state, target height, peers, rate), for the API and metrics. */
  public SyncStatus syncStatus() {
    return sync().status();
  }

  /** The sync manager (its counters are metrics). */
  public SyncManager sync() {
    return parts.network().sync();
  }

  /** The chain's gossip topics (their counters are metrics). */
  public NodeGossip gossip() {
    return parts.network().gossip();
  }

  /** The gossip router under the chain's topics (its counters are metrics). */
  public GossipRouter gossipRouter() {
    return parts.network().router();
  }

  /**
   * Submits a local transaction (from the API) to the chain and, if the mempool took it, publishes
   * it to our peers. Completes with the mempool's answer.
   */
  public CompletableFuture<Mempool.Admission> submitTransaction(Transaction tx) {
    return gossip().submitTransaction(tx);
  }

  /**
   * Stops the node quietly, each part after the one before it has stopped (see {@link
   * NodeAssembly#stop}): the API, the miner, the network services, the DHT, the host, the chain.
   */
  @Override
  public void close() {
    NodeAssembly.stop(
        parts.closing(),
        parts.api(),
        parts.mining(),
        parts.history(),
        parts.network(),
        parts.dht(),
        parts.p2p(),
        parts.chain());
  }
}
