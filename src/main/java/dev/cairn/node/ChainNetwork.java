package dev.cairn.node;

import dev.cairn.chain.ChainService;
import dev.cairn.node.gossip.GossipScoring;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.sync.BlockSource;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.SyncManager;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.Host;

/**
 * The chain's network services over one host and one chain service: the gossip router, the sync
 * manager and the chain's gossip topics, started as {@link Node} starts them and stopped in the
 * order that keeps a stop quiet (see {@link #close}). In-process tests build their nodes with it
 * too, so they run the production wiring.
 *
 * @param router the gossip router
 * @param sync the sync manager
 * @param gossip the chain's topics and our publishing
 */
public record ChainNetwork(GossipRouter router, SyncManager sync, NodeGossip gossip)
    implements AutoCloseable {

  /**
   * Starts the router with {@code gossipConfig} (it should come from {@link GossipScoring#scored}),
   * the sync manager answering from {@code source}, and the chain's topics, whose orphaned blocks
   * the sync manager fetches. Gossip verdicts, requests served and blocks imported by gossip and
   * sync go to {@code metrics}.
   */
  public static ChainNetwork start(
      Host host,
      ChainService chain,
      String network,
      GossipConfig gossipConfig,
      SyncConfig syncConfig,
      BlockSource source,
      NodeMetrics metrics) {
    GossipRouter router = GossipRouter.start(host, gossipConfig);
    SyncManager sync;
    try {
      sync = SyncManager.start(host, chain, network, syncConfig, source, metrics);
    } catch (RuntimeException e) {
      router.close();
      throw e;
    }
    NodeGossip gossip =
        NodeGossip.start(router, chain, network, sync::fetchAncestors, sync.rpc(), metrics);
    return new ChainNetwork(router, sync, gossip);
  }

  /**
   * Stops publishing (its threads wait on the router, the host and the chain), then sync (its
   * workers import into the chain and ask peers through the host), then the router. Each step
   * starts after the one before has stopped. The host and the chain stay open: the caller closes
   * them afterwards, in that order.
   */
  @Override
  public void close() {
    gossip.close();
    sync.close();
    router.close();
  }
}
