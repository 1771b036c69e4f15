package dev.cairn.node;

import dev.cairn.chain.model.Address;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

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
    boolean enablePerf) {

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
    listen = List.copyOf(listen);
    bootnodes = List.copyOf(bootnodes);
  }

  /**
   * A builder for a node on {@code network} in {@code dataDir}, with the defaults of a node started
   * from code: key file {@code <dataDir>/node.key}, listening on {@code /ip4/127.0.0.1/tcp/0}, no
   * bootnodes, no API, not mining (1 miner thread when it does), the built-in network file, no
   * {@code /perf/1.0.0}.
   */
  public static Builder builder(String network, Path dataDir) {
    return new Builder(network, dataDir);
  }

  /** A builder holding this config's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Collects a {@link NodeConfig}'s values; {@link #build} checks them. */
  public static final class Builder {
    private String network;
    private Path dataDir;
    private Path nodeKeyFile;
    private List<Multiaddr> listen = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    private List<Multiaddr> bootnodes = List.of();
    private InetSocketAddress api;
    private boolean mine;
    private Address minerAddress;
    private int minerThreads = 1;
    private Path genesisFile;
    private boolean enablePerf;

    private Builder(String network, Path dataDir) {
      this.network = network;
      this.dataDir = dataDir;
      this.nodeKeyFile = dataDir.resolve("node.key");
    }

    private Builder(NodeConfig c) {
      network = c.network;
      dataDir = c.dataDir;
      nodeKeyFile = c.nodeKeyFile;
      listen = c.listen;
      bootnodes = c.bootnodes;
      api = c.api;
      mine = c.mine;
      minerAddress = c.minerAddress;
      minerThreads = c.minerThreads;
      genesisFile = c.genesisFile;
      enablePerf = c.enablePerf;
    }

    public Builder network(String name) {
      network = name;
      return this;
    }

    public Builder nodeKeyFile(Path file) {
      nodeKeyFile = file;
      return this;
    }

    public Builder listen(List<Multiaddr> addresses) {
      listen = addresses;
      return this;
    }

    public Builder bootnodes(List<Multiaddr> peers) {
      bootnodes = peers;
      return this;
    }

    /** Where the HTTP API listens; null (the default) turns it off. */
    public Builder api(InetSocketAddress address) {
      api = address;
      return this;
    }

    /** Mines to {@code address} when it is not null; does not mine when it is. */
    public Builder mineTo(Address address) {
      mine = address != null;
      minerAddress = address;
      return this;
    }

    /** Whether to mine, and where rewards go (required when mining). */
    public Builder mine(boolean on, Address address) {
      mine = on;
      minerAddress = address;
      return this;
    }

    public Builder minerThreads(int n) {
      minerThreads = n;
      return this;
    }

    /** A network file instead of the built-in one; null (the default) for the built-in one. */
    public Builder genesisFile(Path file) {
      genesisFile = file;
      return this;
    }

    public Builder enablePerf(boolean on) {
      enablePerf = on;
      return this;
    }

    public NodeConfig build() {
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
          enablePerf);
    }
  }
}
