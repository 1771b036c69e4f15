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

  /** A node on the built-in network file of {@code network}. */
  public NodeConfig(
      String network,
      Path dataDir,
      Path nodeKeyFile,
      List<Multiaddr> listen,
      List<Multiaddr> bootnodes,
      InetSocketAddress api,
      boolean mine,
      Address minerAddress,
      int minerThreads) {
    this(
        network,
        dataDir,
        nodeKeyFile,
        listen,
        bootnodes,
        api,
        mine,
        minerAddress,
        minerThreads,
        null,
        false);
  }

  /** A node that does not serve {@code /perf/1.0.0} (the default; {@code --enable-perf}). */
  public NodeConfig(
      String network,
      Path dataDir,
      Path nodeKeyFile,
      List<Multiaddr> listen,
      List<Multiaddr> bootnodes,
      InetSocketAddress api,
      boolean mine,
      Address minerAddress,
      int minerThreads,
      Path genesisFile) {
    this(
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
        false);
  }

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
}
