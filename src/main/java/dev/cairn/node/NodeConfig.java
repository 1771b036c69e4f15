package dev.cairn.node;

import dev.cairn.p2p.multiformats.Multiaddr;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a node is started from, after flags, environment and config file are merged.
 *
 * @param dataDir the node's directory (key, chain data)
 * @param nodeKeyFile the libp2p identity key file
 * @param listen libp2p listen addresses
 * @param bootnodes peers to dial at start
 * @param api where the HTTP API listens; null turns it off
 */
public record NodeConfig(
    Path dataDir,
    Path nodeKeyFile,
    List<Multiaddr> listen,
    List<Multiaddr> bootnodes,
    InetSocketAddress api) {

  public NodeConfig {
    listen = List.copyOf(listen);
    bootnodes = List.copyOf(bootnodes);
  }
}
