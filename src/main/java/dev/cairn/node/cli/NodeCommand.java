package dev.cairn.node.cli;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.KeyFile;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.nio.file.Files;
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

  @Override
  public Integer call() throws Exception {
    List<Multiaddr> listenAddrs = new ArrayList<>();
    for (String l : listen) {
      listenAddrs.add(Multiaddr.parse(l));
    }
    List<Multiaddr> peerAddrs = new ArrayList<>();
    for (String p : peers) {
      peerAddrs.add(Multiaddr.parse(p));
    }
    Files.createDirectories(dataDir);
    Path key = keyFile != null ? keyFile : dataDir.resolve("node.key");
    PrivateKey identity = KeyFile.loadOrCreate(key);
    Libp2p p2p = Libp2p.create(HostConfig.defaults(identity, listenAddrs));
    LOG.info("Peer id {}", p2p.host().peerId());
    for (Multiaddr a : p2p.host().fullAddresses()) {
      LOG.info("Listening on {}", a);
    }
    p2p.host()
        .addConnectionListener(
            new ConnectionListener() {
              @Override
              public void connected(Connection c) {
                LOG.info(
                    "Peer connected {} ({}, {})", c.remotePeer(), c.direction(), c.remoteAddress());
              }

              @Override
              public void disconnected(Connection c) {
                LOG.info("Peer disconnected {}", c.remotePeer());
              }
            });
    for (Multiaddr a : peerAddrs) {
      Thread.ofVirtual()
          .name("dial-" + a)
          .start(
              () -> {
                try {
                  p2p.host().dial(a);
                } catch (Exception e) {
                  LOG.warn("Could not connect to {}: {}", a, e.getMessage());
                }
              });
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping");
                  p2p.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
