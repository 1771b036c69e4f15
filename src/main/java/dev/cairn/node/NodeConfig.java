package dev.cairn.node;

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
 */
public record NodeConfig(
    String network,
    Path dataDir,
    Path nodeKeyFile,
    List<Multiaddr> listen,
    List<Multiaddr> bootnodes,
    InetSocketAddress api) {

  public NodeConfig {
    if (!network.matches("[a-z0-9][a-z0-9-]{0,31}")) {
      throw new IllegalArgumentException(
          "network name must be 1-32 lowercase letters, digits or '-': '" + network + "'");
    }
    listen = List.copyOf(listen);
    bootnodes = List.copyOf(bootnodes);
  }
}
