package dev.cairn.node.cli;

import dev.cairn.chain.model.Address;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn node}: runs a node until interrupted. For now the node is a libp2p host (identify,
 * ping, perf) that logs its full listen addresses so other nodes can be pointed at it.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a Cairn node until stopped (Ctrl-C).")
final class NodeCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger LOG = LogManager.getLogger();

  @Option(
      names = "--network",
      paramLabel = "<name>",
      description =
          "Network to join (dev, test); part of every protocol id. Default: ${DEFAULT-VALUE}",
      defaultValue = "dev")
  String network;

  @Option(
      names = "--listen",
      paramLabel = "<multiaddr>",
      description = "Address to listen on (repeatable). Default: ${DEFAULT-VALUE}",
      defaultValue = "/ip4/127.0.0.1/tcp/4001")
  List<String> listen = new ArrayList<>();

  @Option(
      names = "--data-dir",
      paramLabel = "<dir>",
      description = "Directory for the node's key and data. Default: ${DEFAULT-VALUE}",
      defaultValue = "${sys:user.home}/.cairn")
  Path dataDir;

  @Option(
      names = {"--node-key-file", "--key-file"},
      paramLabel = "<file>",
      description = "Node identity key file (created if missing). Default: <data-dir>/node.key")
  Path keyFile;

  @Option(
      names = {"--bootnode", "--peer"},
      paramLabel = "<multiaddr>",
      description =
          "Peer to connect to at start, e.g. /ip4/127.0.0.1/tcp/4001/p2p/<peer id> (repeatable).")
  List<String> peers = new ArrayList<>();

  @Option(
      names = "--api",
      paramLabel = "<host:port>",
      description =
          "Where the HTTP API listens (port 0 picks one; 'off' disables it). Default: ${DEFAULT-VALUE}",
      defaultValue = "127.0.0.1:8645")
  String api;

  @Option(names = "--mine", description = "Mine blocks (needs --miner-address).")
  boolean mine;

  @Option(
      names = "--miner-address",
      paramLabel = "<address>",
      description = "Address that receives mined rewards and fees (cairn1...).")
  String minerAddress;

  @Option(
      names = "--miner-threads",
      paramLabel = "<n>",
      description = "Nonce-search threads. Default: ${DEFAULT-VALUE}",
      defaultValue = "1")
  int minerThreads;

  @Override
  public Integer call() throws Exception {
    NodeConfig config =
        new NodeConfig(
            network,
            dataDir,
            keyFile != null ? keyFile : dataDir.resolve("node.key"),
            listen.stream().map(Multiaddr::parse).toList(),
            peers.stream().map(Multiaddr::parse).toList(),
            parseHostPort(api),
            mine,
            minerAddress == null ? null : Address.parse(minerAddress),
            minerThreads);
    Node node = Node.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping");
                  node.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  /** {@code host:port}, {@code :port} (localhost) or {@code off}. */
  static InetSocketAddress parseHostPort(String text) {
    if (text.equals("off")) {
      return null;
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--api wants host:port, got '" + text + "'");
    }
    String host = colon == 0 ? "127.0.0.1" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--api port is not a number: '" + text + "'", e);
    }
    return new InetSocketAddress(host, port);
  }
}
