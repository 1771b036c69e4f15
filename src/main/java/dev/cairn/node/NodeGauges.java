package dev.cairn.node;

import dev.cairn.chain.ChainService;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.GossipMetrics;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.miner.MiningSwitch;
import dev.cairn.node.sync.SyncCounter;
import dev.cairn.node.sync.SyncManager;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.kad.KadDht;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The node's gauges over its parts (read at scrape time, lock-free) and its head-change counters;
 * registered once while the node is assembled (docs/API.md lists the names).
 */
final class NodeGauges {
  /** Node's logger: the README and operators know these lines as {@code Node - ...}. */
  private static final Logger LOG = LogManager.getLogger(Node.class);

  private NodeGauges() {}

  /** Counts head changes and reorgs from now on. */
  static void countHeadChanges(ChainService chain, Metrics metrics) {
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

  /** Peers, head, mempool and miner gauges (the miner's read 0 while it is off). */
  static void register(Metrics metrics, Host host, ChainService chain, MiningSwitch mining) {
    metrics.gauge(
        "cairn_peers",
        "Connected peers by direction",
        () -> count(host, Connection.Direction.INBOUND),
        "direction",
        "inbound");
    metrics.gauge(
        "cairn_peers",
        "Connected peers by direction",
        () -> count(host, Connection.Direction.OUTBOUND),
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
        mining::hashRate);
    metrics.gauge(
        "cairn_miner_blocks_found", "Blocks found by this node's miner", mining::blocksFound);
  }

  /** Gauges over the gossip, sync and Kademlia owners' own counters. */
  static void register(NodeMetrics nodeMetrics, Host host, ChainNetwork network, KadDht dht) {
    Metrics metrics = nodeMetrics.registry();
    NodeGossip chainGossip = network.gossip();
    for (boolean blocks : new boolean[] {true, false}) {
      String topic = blocks ? "blocks" : "txs";
      for (String result : new String[] {"accepted", "ignored", "rejected"}) {
        metrics.gauge(
            "cairn_gossip_messages",
            "Gossip messages by topic and verdict",
            () -> verdicts(chainGossip, blocks, result),
            "topic",
            topic,
            "result",
            result);
      }
    }
    GossipMetrics.register(metrics, network.router()::stats);
    SyncManager sync = network.sync();
    nodeMetrics.syncRate(() -> sync.status().blocksPerSecond());
    nodeMetrics.bannedPeers(() -> host.bannedCount());
    for (SyncCounter c : SyncCounter.values()) {
      if (c.metric() != null) {
        metrics.gauge(c.metric(), c.help(), () -> sync.count(c));
      }
    }
    registerResources(metrics, host.resources(), host.protocols());
    metrics.gauge(
        "cairn_kad_routing_table_peers",
        "Peers in the Kademlia routing table",
        () -> dht.routingTableSize());
  }

  /**
   * The resource manager's usage per scope (docs/API.md): bytes and streams held for the system,
   * for the peer holding the most, and per protocol (those served when the node started), with the
   * budgets, the peak and the refusals.
   */
  static void registerResources(
      Metrics metrics, ResourceManager resources, java.util.Set<String> protocols) {
    String bytesHelp = "Bytes held on peers' behalf (stream windows, buffers), by scope";
    String streamsHelp = "Streams open, by scope";
    metrics.gauge(
        "cairn_resource_bytes",
        bytesHelp,
        () -> resources.snapshot().system().bytes(),
        "scope",
        "system");
    metrics.gauge(
        "cairn_resource_bytes",
        bytesHelp,
        () -> resources.snapshot().largestPeer().bytes(),
        "scope",
        "largest_peer");
    metrics.gauge(
        "cairn_resource_streams",
        streamsHelp,
        () -> resources.snapshot().system().streams(),
        "scope",
        "system");
    metrics.gauge(
        "cairn_resource_streams",
        streamsHelp,
        () -> resources.snapshot().largestPeer().streams(),
        "scope",
        "largest_peer");
    for (String protocol : protocols) {
      metrics.gauge(
          "cairn_resource_protocol_bytes",
          "Bytes held for streams and buffers of one protocol",
          () -> protocolUsage(resources, protocol).bytes(),
          "protocol",
          protocol);
      metrics.gauge(
          "cairn_resource_protocol_streams",
          "Streams open of one protocol",
          () -> protocolUsage(resources, protocol).streams(),
          "protocol",
          protocol);
    }
    metrics.gauge(
        "cairn_resource_limit_bytes",
        "Byte budget by scope",
        () -> resources.limits().systemBytes(),
        "scope",
        "system");
    metrics.gauge(
        "cairn_resource_limit_bytes",
        "Byte budget by scope",
        () -> resources.limits().peerBytes(),
        "scope",
        "peer");
    metrics.gauge(
        "cairn_resource_peak_bytes",
        "Most bytes the system scope held at once since the start",
        () -> resources.snapshot().peakBytes());
    metrics.gauge(
        "cairn_resource_peers",
        "Peers holding resources (connections, streams or buffers)",
        () -> resources.snapshot().peers());
    metrics.gauge(
        "cairn_resource_refused",
        "Streams and reservations refused at a budget since the start",
        () -> resources.snapshot().refused());
  }

  private static ResourceManager.Usage protocolUsage(ResourceManager resources, String protocol) {
    return resources.snapshot().protocols().getOrDefault(protocol, new ResourceManager.Usage(0, 0));
  }

  private static double verdicts(NodeGossip gossip, boolean blocks, String result) {
    return switch (result) {
      case "accepted" -> gossip.accepted(blocks);
      case "ignored" -> gossip.ignored(blocks);
      default -> gossip.rejected(blocks);
    };
  }

  private static double count(Host host, Connection.Direction d) {
    return host.connections().stream().filter(c -> c.direction() == d).count();
  }
}
