package dev.cairn.node;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.node.api.AdminRoutes;
import dev.cairn.node.api.ChainRoutes;
import dev.cairn.node.api.HttpApi;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.node.api.NodeRoutes;
import dev.cairn.node.api.StatusHistory;
import dev.cairn.node.api.StatusPage;
import dev.cairn.node.gossip.GossipScoring;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.miner.MiningSwitch;
import dev.cairn.node.protocol.CairnProtocols;
import dev.cairn.node.sync.ChainBlockSource;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.kad.KadConfig;
import dev.cairn.p2p.kad.KadDht;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Builds a {@link Node}'s parts in the order they depend on each other (chain, host, network
 * services, DHT, health watch, miner, API), then hands them to the node, which never changes them.
 * When a step fails, the parts already started are stopped in the node's own stop order ({@link
 * #stop}) and the failure is thrown.
 *
 * <p>Used once, on the starting thread; its fields are filled one by one as parts start.
 */
final class NodeAssembly {
  /** Node's logger: the README and operators know these lines as {@code Node - ...}. */
  private static final Logger LOG = LogManager.getLogger(Node.class);

  private final NodeConfig config;
  private final NetworkParams params;
  private final Metrics metrics = new Metrics();
  private final NodeMetrics nodeMetrics = new NodeMetrics(metrics);
  private final HttpApi api = new HttpApi();
  private final CountDownLatch closing = new CountDownLatch(1);
  private ChainService chain;
  private Libp2p p2p;
  private ChainNetwork network;
  private KadDht dht;
  private MiningSwitch mining;
  private StatusHistory history;

  NodeAssembly(NodeConfig config, NetworkParams params) {
    this.config = config;
    this.params = params;
  }

  /** Starts every part and returns the node made of them; on failure stops what started. */
  Node start(PrivateKey identity) throws IOException {
    try {
      return startParts(identity);
    } catch (IOException | RuntimeException e) {
      stop(closing, api, mining, history, network, dht, p2p, chain);
      throw e;
    }
  }

  private Node startParts(PrivateKey identity) throws IOException {
    chain =
        ChainService.start(
            params, ChainConfig.defaults(), config.dataDir().resolve("chain"), Clock.systemUTC());
    p2p = startHost(identity);
    logIdentity();
    p2p.host().addConnectionListener(new PeerLog(nodeMetrics));
    NodeGauges.countHeadChanges(chain, metrics);
    network =
        ChainNetwork.start(
            p2p.host(),
            chain,
            config.network(),
            GossipScoring.scored(GossipConfig.cairn(), config.network()),
            SyncConfig.defaults(),
            new ChainBlockSource(chain),
            nodeMetrics);
    // Bootnodes with a /p2p/ id seed the DHT; one without (a name in a compose file, say) is
    // dialled directly and joins the DHT through identify like any other peer.
    List<Multiaddr> withId =
        config.bootnodes().stream().filter(a -> a.peerId().isPresent()).toList();
    dht =
        KadDht.start(
            p2p,
            KadConfig.defaults().withProtocolId(CairnProtocols.of(config.network()).kad()),
            withId);
    connectBootnodes();
    NodeHealth health = startHealth();
    mining = startMining(network.gossip());
    NodeGauges.register(metrics, p2p.host(), chain, mining);
    NodeGauges.register(nodeMetrics, p2p.host(), network, dht);
    InetSocketAddress apiAddress = config.api() == null ? null : startApi(health);
    return new Node(
        new Node.Parts(
            config,
            params,
            chain,
            p2p,
            network,
            dht,
            mining,
            history,
            metrics,
            nodeMetrics,
            api,
            health,
            apiAddress,
            closing));
  }

  private Libp2p startHost(PrivateKey identity) throws IOException {
    try {
      HostConfig host =
          HostConfig.defaults(identity, config.listen())
              .withResources(
                  ResourceLimits.defaults().withMemory(config.memLimit(), config.peerMemLimit()));
      return Libp2p.create(host, config.enablePerf());
    } catch (BindException e) {
      // The JDK's message alone ("Address already in use") does not say which address.
      throw new BindException(
          "cannot listen on "
              + config.listen().stream().map(Multiaddr::toString).toList()
              + ": "
              + e.getMessage()
              + " (is another node running there? pick another --listen port, or port 0)");
    }
  }

  private void logIdentity() {
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
  }

  /** Logs peers coming and going; counts bans. */
  private record PeerLog(NodeMetrics nodeMetrics) implements ConnectionListener {
    @Override
    public void connected(Connection c) {
      LOG.info("Peer connected {} ({}, {})", c.remotePeer(), c.direction(), c.remoteAddress());
    }

    @Override
    public void disconnected(Connection c) {
      LOG.info("Peer disconnected {}", c.remotePeer());
    }

    @Override
    public void banned(PeerId peer, Duration duration) {
      nodeMetrics.peerBanned();
    }
  }

  /** Dials the bootnodes without a peer id; warns later if no bootnode answered at all. */
  private void connectBootnodes() {
    Libp2p host = p2p;
    if (!config.bootnodes().isEmpty()) {
      Thread.ofVirtual().name("bootnode-check").start(() -> warnIfNoPeers(host));
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
                  host.host().dial(a);
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

  /**
   * A node whose bootnodes never answer would otherwise say nothing (the DHT retries quietly), so
   * after {@link Node#BOOTNODE_CHECK} with no peer at all it says which bootnodes it tried.
   */
  private void warnIfNoPeers(Libp2p host) {
    try {
      if (closing.await(Node.BOOTNODE_CHECK.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (host.host().connections().isEmpty()) {
      LOG.warn(
          "No peers {}s after start: no bootnode answered ({}); check that they run, their"
              + " addresses and /p2p/ ids, and --network",
          Node.BOOTNODE_CHECK.toSeconds(),
          config.bootnodes());
    }
  }

  /** Every owner's liveness, watched from now on (see {@link NodeHealth}). */
  private NodeHealth startHealth() {
    NodeHealth health =
        new NodeHealth(
            List.of(
                new NodeHealth.Owner("chain", chain::isRunning, chain::failure),
                new NodeHealth.Owner(
                    "gossip", network.router()::isRunning, network.router()::failure),
                new NodeHealth.Owner("sync", network.sync()::isRunning, network.sync()::failure),
                new NodeHealth.Owner("connections", p2p.host()::isRunning, p2p.host()::failure),
                new NodeHealth.Owner("kad", dht::isRunning, dht::failure)));
    health.watch(closing);
    return health;
  }

  /** The miner's switch, on at start when the node mines; the API can turn it on and off. */
  private MiningSwitch startMining(NodeGossip gossip) {
    MiningSwitch m =
        new MiningSwitch(
            chain,
            b -> {
              nodeMetrics.blockImported("miner");
              gossip.publishBlockLater(b);
            });
    if (config.mine()) {
      m.start(config.minerAddress(), config.minerThreads());
      LOG.info("Mining to {} on {} threads", config.minerAddress(), config.minerThreads());
    }
    return m;
  }

  private InetSocketAddress startApi(NodeHealth health) throws IOException {
    new NodeRoutes(
            config.network(),
            params.chainId(),
            chain::view,
            network.sync()::status,
            mining::isOn,
            p2p.host())
        .register(api);
    api.route("GET", "/api/v1/health", r -> health.report());
    ChainRoutes.register(api, chain, network.gossip()::submitTransaction);
    history =
        StatusHistory.start(() -> chain.view().height(), () -> NodeRoutes.peerCount(p2p.host()));
    StatusPage.register(api, chain, mining, history);
    AdminRoutes.register(
        api, config.api(), p2p.host()::dial, mining, config.minerAddress(), config.minerThreads());
    api.route(
        "GET",
        "/metrics",
        r -> Response.text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
    InetSocketAddress bound;
    try {
      bound = api.start(config.api());
    } catch (BindException e) {
      throw new BindException(
          "cannot serve the API on "
              + config.api().getHostString()
              + ":"
              + config.api().getPort()
              + ": "
              + e.getMessage()
              + " (is another node running there? pick another --api host:port, or --api off)");
    }
    LOG.info("API listening on http://{}:{}", bound.getHostString(), bound.getPort());
    return bound;
  }

  /**
   * Stops the parts quietly: the API, then the miner (its found blocks imported and handed to
   * publishing), then publishing, sync and the gossip router ({@link ChainNetwork#close}), the DHT,
   * the host, and last the chain service. Each part stops after the one before it has stopped, so
   * none works against a part already gone, and a clean stop logs no WARN or ERROR. Parts not
   * started (null) are skipped.
   */
  static void stop(
      CountDownLatch closing,
      HttpApi api,
      MiningSwitch mining,
      StatusHistory history,
      ChainNetwork network,
      KadDht dht,
      Libp2p p2p,
      ChainService chain) {
    closing.countDown();
    api.close();
    for (AutoCloseable part : Arrays.asList(history, mining, network, dht, p2p, chain)) {
      if (part != null) {
        close(part);
      }
    }
  }

  /** Closes a part; none of the node's parts throws a checked exception from close. */
  private static void close(AutoCloseable part) {
    try {
      part.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing " + part, e);
    }
  }
}
