package dev.cairn.node.api;

import dev.cairn.chain.ChainView;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.node.sync.SyncStatus;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.PeerInfo;
import dev.cairn.p2p.host.PeerStanding;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's own part of the HTTP API: {@code GET /api/v1/status} and {@code GET /api/v1/peers}
 * (docs/API.md has their JSON shapes). Each answer is built from snapshots read at request time:
 * the chain's published view, sync's status and the host's connection list.
 *
 * @param network the network name
 * @param chainId the network's chain id (transactions sign it)
 * @param chain the chain's latest view
 * @param sync sync's latest status
 * @param mining whether this node mines now
 * @param host the libp2p host (peer id, addresses, connections, peer store, standing)
 */
public record NodeRoutes(
    String network,
    int chainId,
    Supplier<ChainView> chain,
    Supplier<SyncStatus> sync,
    BooleanSupplier mining,
    Host host) {

  /** Adds {@code /api/v1/status} and {@code /api/v1/peers} to {@code api}. */
  public void register(HttpApi api) {
    api.route("GET", "/api/v1/status", r -> Response.json(status()));
    api.route("GET", "/api/v1/peers", r -> Response.json(peers()));
  }

  /** The body of {@code /api/v1/status}. */
  public Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    ChainView view = chain.get();
    s.put("network", network);
    s.put("chainId", chainId);
    s.put("genesis", view.genesis().toString());
    s.put("headHeight", view.height());
    s.put("headHash", view.headHash().toString());
    s.put("headWork", view.cumulativeWork().toString());
    s.put("mempoolSize", view.mempoolSize());
    s.put("sync", sync.get());
    s.put("mining", mining.getAsBoolean());
    s.put("peerId", host.peerId().toBase58());
    s.put("listen", host.fullAddresses().stream().map(Multiaddr::toString).toList());
    s.put("peerCount", peerCount(host));
    return s;
  }

  /** Distinct peers {@code host} is connected to. */
  public static long peerCount(Host host) {
    return host.connections().stream().map(Connection::remotePeer).distinct().count();
  }

  /** The body of {@code /api/v1/peers}: one object a connection. */
  public List<Map<String, Object>> peers() {
    return host.connections().stream().map(this::peer).toList();
  }

  private Map<String, Object> peer(Connection c) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("peerId", c.remotePeer().toBase58());
    p.put("direction", c.direction().name().toLowerCase(Locale.ROOT));
    p.put("address", c.remoteAddress().toString());
    PeerInfo info = host.peerStore().get(c.remotePeer()).orElse(null);
    p.put("agent", info == null ? "" : info.agentVersion());
    p.put("protocols", info == null ? List.of() : info.protocols());
    PeerStanding standing = host.standing(c.remotePeer());
    p.put("standing", standing.points());
    p.put("penalties", standing.penalties());
    p.put("connectedSince", c.openedAt().toEpochMilli());
    return p;
  }
}
