package dev.cairn.node;

import dev.cairn.chain.model.Address;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything a node is started from, after flags, environment and config file are merged.
 *
 * @param network the network name ({@code dev}, {@code test}); it is part of every protocol id, so
 *     nodes of different networks never mix
 * @param dataDir the node's directory (key, chain data)
 * @param nodeKeyFile the libp2p identity key file
 * @param listen libp2p listen addresses
 * @param bootnodes peers to dial at start
 * @param api where the HTTP API listens; null turns it off
 * @param mine whether this node mines
 * @param minerAddress where mined rewards go (required when mining)
 * @param minerThreads nonce-search threads
 * @param genesisFile a network file (docs/PROTOCOL.md, "Genesis file") to use instead of the
 *     built-in network of that name; its {@code name} must equal {@code network}. Null: built-in
 * @param enablePerf whether to serve {@code /perf/1.0.0} ({@code --enable-perf})
 * @param memLimit bytes all peers together may make the host hold: stream windows, buffers ({@code
 *     --mem-limit}; the resource manager's system budget)
 * @param peerMemLimit bytes one peer may make the host hold ({@code --peer-mem-limit})
 */
public record NodeConfig(
    String network,
    Path dataDir,
    Path nodeKeyFile,
    List<Multiaddr> listen,
    List<Multiaddr> bootnodes,
    InetSocketAddress api,
    boolean mine,
    Address minerAddress,
    int minerThreads,
    Path genesisFile,
    boolean enablePerf,
    long memLimit,
    long peerMemLimit) {

  public NodeConfig {
    if (!network.matches("[a-z0-9][a-z0-9-]{0,31}")) {
      throw new IllegalArgumentException(
          "network name must be 1-32 lowercase letters, digits or '-': '" + network + "'");
    }
    if (mine && minerAddress == null) {
      throw new IllegalArgumentException("--mine needs --miner-address <address>");
    }
    if (minerThreads < 1) {
      throw new IllegalArgumentException("--miner-threads must be at least 1");
    }
    if (peerMemLimit < MIN_MEM || memLimit < peerMemLimit) {
      throw new IllegalArgumentException(
          "--peer-mem-limit must be at least 1 MiB and at most --mem-limit (got "
              + peerMemLimit
              + " and "
              + memLimit
              + " bytes)");
    }
    listen = List.copyOf(listen);
    bootnodes = List.copyOf(bootnodes);
  }

  /** The smallest per-peer budget: four streams' initial windows. */
  public static final long MIN_MEM = 1024 * 1024;

  /**
   * A node on {@code network} in {@code dataDir}, with the defaults of a node started from code
   * (see {@link Builder}) changed by {@code changes}, e.g. {@code NodeConfig.of("dev", dir, c ->
   * c.bootnodes = peers)}.
   */
  public static NodeConfig of(String network, Path dataDir, Consumer<Builder> changes) {
    Builder b = new Builder(network, dataDir);
    changes.accept(b);
    return b.build();
  }

  /**
   * A {@link NodeConfig}'s values while they are being set, checked when the config is built. The
   * fields start at the defaults of a node started from code: key file {@code <dataDir>/node.key},
   * listening on {@code /ip4/127.0.0.1/tcp/0}, no bootnodes, no API, not mining (one miner thread
   * when it does), the built-in network file, no {@code /perf/1.0.0}, the default resource budgets
   * ({@link ResourceLimits#defaults()}).
   */
  public static final class Builder {
    public String network;
    public Path dataDir;
    public Path nodeKeyFile;
    public List<Multiaddr> listen = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    public List<Multiaddr> bootnodes = List.of();
    public InetSocketAddress api;
    public boolean mine;
    public Address minerAddress;
    public int minerThreads = 1;
    public Path genesisFile;
    public boolean enablePerf;
    public long memLimit = ResourceLimits.DEFAULT_SYSTEM_BYTES;
    public long peerMemLimit = ResourceLimits.DEFAULT_PEER_BYTES;

    private Builder(String network, Path dataDir) {
      this.network = network;
      this.dataDir = dataDir;
      this.nodeKeyFile = dataDir.resolve("node.key");
    }

    /** Mines to {@code address} when it is not null; does not mine when it is null. */
    public void mineTo(Address address) {
      mine = address != null;
      minerAddress = address;
    }

    private NodeConfig build() {
      return new NodeConfig(
          network,
          dataDir,
          nodeKeyFile,
          listen,
          bootnodes,
          api,
          mine,
          minerAddress,
          minerThreads,
          genesisFile,
          enablePerf,
          memLimit,
          peerMemLimit);
    }
  }
}
