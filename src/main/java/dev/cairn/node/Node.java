package dev.cairn.node;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.api.ChainRoutes;
import dev.cairn.node.api.HttpApi;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.miner.Miner;
import dev.cairn.node.protocol.CairnProtocols;
import dev.cairn.node.sync.ChainBlockSource;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.SyncManager;
import dev.cairn.node.sync.SyncStatus;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.KeyFile;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.PeerInfo;
import dev.cairn.p2p.host.PeerStanding;
import dev.cairn.p2p.kad.KadConfig;
import dev.cairn.p2p.kad.KadDht;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A running Cairn node: the wiring of its parts, and their start and stop. The only place where
 * chain and p2p meet (DESIGN.md).
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  private final NodeConfig config;
  private final Libp2p p2p;
  private final ChainService chain;
  private Miner miner;
  private KadDht dht;
  private ChainNetwork network;
  private NodeGossip chainGossip;
  private SyncManager sync;
  private final Metrics metrics = new Metrics();
  private final NodeMetrics nodeMetrics = new NodeMetrics(metrics);
  private final NetworkParams params;

  private final HttpApi api = new HttpApi();
  private NodeHealth health;

  /** How long after start a node with bootnodes but no peer warns about it. */
  static final Duration BOOTNODE_CHECK = Duration.ofSeconds(15);

  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);
  private InetSocketAddress apiAddress;

  private Node(NodeConfig config, NetworkParams params, Libp2p p2p, ChainService chain) {
    this.config = config;
    this.params = params;
    this.p2p = p2p;
    this.chain = chain;
  }

  /** Opens the key, starts the host and the API, and dials the bootnodes. */
  public static Node start(NodeConfig config) throws IOException {
    Files.createDirectories(config.dataDir());
    PrivateKey identity = KeyFile.loadOrCreate(config.nodeKeyFile());
    NetworkParams params = networkParams(config);
    ChainService chain =
        ChainService.start(
            params, ChainConfig.defaults(), config.dataDir().resolve("chain"), Clock.systemUTC());
    Libp2p p2p;
    try {
      p2p = Libp2p.create(HostConfig.defaults(identity, config.listen()), config.enablePerf());
    } catch (java.net.BindException e) {
      chain.close();
      // The JDK's message alone ("Address already in use") does not say which address.
      throw new java.net.BindException(
          "cannot listen on "
              + config.listen().stream().map(Multiaddr::toString).toList()
              + ": "
              + e.getMessage()
              + " (is another node running there? pick another --listen port, or port 0)");
    } catch (IOException | RuntimeException e) {
      chain.close();
      throw e;
    }
    Node node = new Node(config, params, p2p, chain);
    try {
      node.startParts();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
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

  private void startParts() throws IOException {
    ChainView view = chain.view();
    LOG.info(
        "Network {} genesis {} head {} at height {}",
        config.network(),
        view.genesis(),
        view.headHash(),
        view.height());
    LOG.info("Peer id {}", p2p.host().peerId());
    for (Multiaddr a : p2p.host().fullAddresses()) {
      LOG.info("Listening on {}", a);
    }
    p2p.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connected(Connection c) {
                LOG.info(
                    "Peer connected {} ({}, {})", c.remotePeer(), c.direction(), c.remoteAddress());
              }

              @Override
              public void disconnected(Connection c) {
                LOG.info("Peer disconnected {}", c.remotePeer());
              }

              @Override
              public void banned(dev.cairn.p2p.multiformats.PeerId peer, Duration duration) {
                nodeMetrics.peerBanned();
              }
            });
    registerMetrics();
    startNetworkServices();
    registerKadMetrics();
    registerNetworkMetrics();
    startHealth();
    if (config.mine()) {
      miner =
          Miner.start(
              chain,
              new Miner.Config(
                  config.minerThreads(), config.minerAddress(), 1 << 16, Duration.ofSeconds(10)),
              b -> {
                nodeMetrics.blockImported("miner");
                chainGossip.publishBlockLater(b);
              });
      LOG.info("Mining to {} on {} threads", config.minerAddress(), config.minerThreads());
    }
    if (config.api() != null) {
      routes();
      try {
        apiAddress = api.start(config.api());
      } catch (java.net.BindException e) {
        throw new java.net.BindException(
            "cannot serve the API on "
                + config.api().getHostString()
                + ":"
                + config.api().getPort()
                + ": "
                + e.getMessage()
                + " (is another node running there? pick another --api host:port, or --api off)");
      }
      LOG.info("API listening on http://{}:{}", apiAddress.getHostString(), apiAddress.getPort());
    }
  }

  private void startNetworkServices() {
    network =
        ChainNetwork.start(
            p2p.host(),
            chain,
            config.network(),
            NodeGossip.scored(GossipConfig.cairn(), config.network()),
            SyncConfig.defaults(),
            new ChainBlockSource(chain),
            nodeMetrics);
    sync = network.sync();
    chainGossip = network.gossip();
    // Bootnodes with a /p2p/ id seed the DHT; one without (a name in a compose file, say) is
    // dialled directly and joins the DHT through identify like any other peer.
    List<Multiaddr> withId =
        config.bootnodes().stream().filter(a -> a.peerId().isPresent()).toList();
    dht =
        KadDht.start(
            p2p,
            KadConfig.defaults().withProtocolId(CairnProtocols.of(config.network()).kad()),
            withId);
    if (!config.bootnodes().isEmpty()) {
      Thread.ofVirtual().name("bootnode-check").start(this::warnIfNoPeers);
    }
    for (Multiaddr a : config.bootnodes()) {
      if (a.peerId().isPresent()) {
        continue;
      }
      Thread.ofVirtual()
          .name("dial-bootnode")
          .start(
              () -> {
                try {
                  p2p.host().dial(a);
                } catch (IOException e) {
                  if (closing.getCount() == 0) {
                    LOG.debug("stopped while connecting to {}: {}", a, e.getMessage());
                  } else {
                    LOG.warn("Could not connect to {}: {}", a, e.getMessage());
                  }
                }
              });
    }
  }

  /** Every owner's liveness, watched from now on (see {@link NodeHealth}). */
  private void startHealth() {
    health =
        new NodeHealth(
            List.of(
                new NodeHealth.Owner("chain", chain::isRunning, chain::failure),
                new NodeHealth.Owner(
                    "gossip", network.router()::isRunning, network.router()::failure),
                new NodeHealth.Owner("sync", sync::isRunning, sync::failure),
                new NodeHealth.Owner("connections", p2p.host()::isRunning, p2p.host()::failure),
                new NodeHealth.Owner("kad", dht::isRunning, dht::failure)));
    health.watch(closing);
  }

  /** Why the node is unhealthy (an owner stopped, and its cause), or empty while every one runs. */
  public java.util.Optional<String> unhealthy() {
    return health.problem();
  }

  /**
   * Completes with the reason (already logged at ERROR) when an owner stops while the node is not
   * closing; {@code cairn node} then exits non-zero.
   */
  public CompletableFuture<String> ownerStopped() {
    return health.ownerStopped();
  }

  /**
   * A node whose bootnodes never answer would otherwise say nothing (the DHT retries quietly), so
   * after {@link #BOOTNODE_CHECK} with no peer at all it says which bootnodes it tried.
   */
  private void warnIfNoPeers() {
    try {
      if (closing.await(BOOTNODE_CHECK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (p2p.host().connections().isEmpty()) {
      LOG.warn(
          "No peers {}s after start: no bootnode answered ({}); check that they run, their"
              + " addresses and /p2p/ ids, and --network",
          BOOTNODE_CHECK.toSeconds(),
          config.bootnodes());
    }
  }

  private void registerMetrics() {
    metrics.gauge(
        "cairn_peers",
        "Connected peers by direction",
        () -> count(Connection.Direction.INBOUND),
        "direction",
        "inbound");
    metrics.gauge(
        "cairn_peers",
        "Connected peers by direction",
        () -> count(Connection.Direction.OUTBOUND),
        "direction",
        "outbound");
    metrics.gauge("cairn_head_height", "Height of the head block", () -> chain.view().height());
    metrics.gauge(
        "cairn_head_work",
        "Cumulative work of the chain ending in the head",
        () -> chain.view().cumulativeWork().doubleValue());
    metrics.gauge(
        "cairn_mempool_size", "Transactions in the mempool", () -> chain.view().mempoolSize());
    metrics.gauge(
        "cairn_orphan_blocks", "Blocks waiting for their parent", () -> chain.view().orphanCount());
    metrics.gauge(
        "cairn_hash_rate",
        "Hashes per second of this node's miner (0 when not mining)",
        () -> miner == null ? 0 : miner.hashRate());
    metrics.gauge(
        "cairn_miner_blocks_found",
        "Blocks found by this node's miner",
        () -> miner == null ? 0 : miner.blocksFound());
    chain
        .subscribeHeadChanges(
            c -> {
              metrics.inc("cairn_head_changes_total", "Times the head moved");
              if (c.isReorg()) {
                metrics.inc("cairn_reorgs_total", "Head changes that disconnected blocks");
              }
            })
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn("Head-change metrics not available: {}", e.toString());
              }
            });
  }

  /** Gauges over the gossip and sync owners' own counters (read at scrape time, lock-free). */
  private void registerNetworkMetrics() {
    for (boolean blocks : new boolean[] {true, false}) {
      String topic = blocks ? "blocks" : "txs";
      metrics.gauge(
          "cairn_gossip_messages",
          "Gossip messages by topic and verdict",
          () -> chainGossip.accepted(blocks),
          "topic",
          topic,
          "result",
          "accepted");
      metrics.gauge(
          "cairn_gossip_messages",
          "Gossip messages by topic and verdict",
          () -> chainGossip.ignored(blocks),
          "topic",
          topic,
          "result",
          "ignored");
      metrics.gauge(
          "cairn_gossip_messages",
          "Gossip messages by topic and verdict",
          () -> chainGossip.rejected(blocks),
          "topic",
          topic,
          "result",
          "rejected");
    }
    nodeMetrics.syncRate(() -> syncStatus().blocksPerSecond());
    nodeMetrics.bannedPeers(() -> p2p.host().bannedCount());
    metrics.gauge(
        "cairn_sync_blocks_imported", "Blocks imported by sync", () -> sync.blocksImported());
    metrics.gauge(
        "cairn_sync_invalid_responses",
        "Invalid sync answers from peers",
        () -> sync.invalidResponses());
    metrics.gauge("cairn_sync_timeouts", "Sync requests that timed out", () -> sync.timeouts());
    metrics.gauge(
        "cairn_sync_stalls", "Sync rounds restarted by the stall detector", () -> sync.stalls());
    metrics.gauge(
        "cairn_sync_unproven_claims",
        "Times a peer announced chain work its headers or bodies could not show",
        () -> sync.unprovenClaims());
    metrics.gauge(
        "cairn_peers_refused",
        "Peers refused for another network or genesis",
        () -> sync.refusals());
  }

  private void registerKadMetrics() {
    metrics.gauge(
        "cairn_kad_routing_table_peers",
        "Peers in the Kademlia routing table",
        () -> dht.routingTableSize());
  }

  private double count(Connection.Direction d) {
    return p2p.host().connections().stream().filter(c -> c.direction() == d).count();
  }

  private void routes() {
    api.route("GET", "/api/v1/status", r -> Response.json(status()));
    api.route("GET", "/api/v1/peers", r -> Response.json(peers()));
    api.route("GET", "/api/v1/health", r -> health.report());
    ChainRoutes.register(api, chain, this::submitTransaction);
    api.route(
        "GET",
        "/metrics",
        r -> Response.text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
  }

  private Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    ChainView view = chain.view();
    s.put("network", config.network());
    s.put("chainId", params.chainId());
    s.put("genesis", view.genesis().toString());
    s.put("headHeight", view.height());
    s.put("headHash", view.headHash().toString());
    s.put("headWork", view.cumulativeWork().toString());
    s.put("mempoolSize", view.mempoolSize());
    s.put("sync", syncStatus());
    s.put("mining", miner != null);
    s.put("peerId", p2p.host().peerId().toBase58());
    s.put("listen", p2p.host().fullAddresses().stream().map(Multiaddr::toString).toList());
    s.put(
        "peerCount",
        p2p.host().connections().stream().map(Connection::remotePeer).distinct().count());
    return s;
  }

  private List<Map<String, Object>> peers() {
    return p2p.host().connections().stream()
        .map(
            c -> {
              Map<String, Object> p = new LinkedHashMap<>();
              p.put("peerId", c.remotePeer().toBase58());
              p.put("direction", c.direction().name().toLowerCase(java.util.Locale.ROOT));
              p.put("address", c.remoteAddress().toString());
              PeerInfo info = p2p.host().peerStore().get(c.remotePeer()).orElse(null);
              p.put("agent", info == null ? "" : info.agentVersion());
              p.put("protocols", info == null ? List.of() : info.protocols());
              PeerStanding standing = p2p.host().standing(c.remotePeer());
              p.put("standing", standing.points());
              p.put("penalties", standing.penalties());
              return p;
            })
        .toList();
  }

  public Libp2p p2p() {
    return p2p;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The node's named metrics, for gossip, sync and request handlers to record events. */
  public NodeMetrics nodeMetrics() {
    return nodeMetrics;
  }

  /** The network's consensus parameters (chain id, genesis, ...). */
  public NetworkParams params() {
    return params;
  }

  /** The API's bound address, or null when the API is off. */
  public InetSocketAddress apiAddress() {
    return apiAddress;
  }

  public ChainService chain() {
    return chain;
  }

  /** Sync progress (state, target height, peers, rate), for the API and metrics. */
  public SyncStatus syncStatus() {
    return sync == null ? SyncStatus.idle(chain.view().height()) : sync.status();
  }

  /** The sync manager (its counters are metrics); null before the network services start. */
  public SyncManager sync() {
    return sync;
  }

  /** The chain's gossip topics (their counters are metrics); null before the services start. */
  public NodeGossip gossip() {
    return chainGossip;
  }

  /**
   * Submits a local transaction (from the API) to the chain and, if the mempool took it, publishes
   * it to our peers. Completes with the mempool's answer.
   */
  public CompletableFuture<Mempool.Admission> submitTransaction(Transaction tx) {
    return chainGossip.submitTransaction(tx);
  }

  /**
   * Stops the node quietly: the API, then the miner (its found blocks imported and handed to
   * publishing), then publishing, sync and the gossip router ({@link ChainNetwork#close}), the DHT,
   * the host, and last the chain service. Each part stops after the one before it has stopped, so
   * none works against a part already gone, and a clean stop logs no WARN or ERROR.
   */
  @Override
  public void close() {
    closing.countDown();
    api.close();
    if (miner != null) {
      miner.close();
    }
    if (network != null) {
      network.close();
    }
    if (dht != null) {
      dht.close();
    }
    p2p.close();
    chain.close();
  }
}
