package dev.cairn.examples;

import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.node.sync.SyncFailure;
import dev.cairn.node.sync.SyncMessage;
import dev.cairn.node.sync.SyncStatus;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A fresh node that syncs from one peer: starts a node with an empty data directory and the peer as
 * its bootnode, asks the peer for its height (the {@code status} request of the sync protocol), and
 * prints progress until its own head reaches that height. Exits 0 when synced, 1 on timeout.
 *
 * <pre>
 * bin/cairn example syncing-node /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...
 * </pre>
 */
@Command(
    name = "syncing-node",
    mixinStandardHelpOptions = true,
    description = "Start a fresh node, sync it from a peer, print progress, stop when caught up.")
public final class SyncingNode implements Callable<Integer> {
  @Parameters(paramLabel = "<peer multiaddr>", description = "The peer, ending in /p2p/<peer id>.")
  String peer;

  @Option(
      names = "--listen",
      defaultValue = "/ip4/127.0.0.1/tcp/0",
      description = "Listen address. Default: ${DEFAULT-VALUE}")
  String listen;

  @Option(
      names = "--data-dir",
      description = "Data directory (default: a new temporary one, deleted at exit).")
  Path dataDir;

  @Option(
      names = "--network",
      defaultValue = "dev",
      description = "Network. Default: ${DEFAULT-VALUE}")
  String network;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      description = "Seconds to wait. Default: ${DEFAULT-VALUE}")
  long timeoutSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SyncingNode()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Configurator.setLevel("dev.cairn", Level.WARN);
    Multiaddr peerAddr = Multiaddr.parse(peer);
    PeerId peerId =
        peerAddr
            .peerId()
            .orElseThrow(() -> new IllegalArgumentException("the peer address needs /p2p/<id>"));
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("cairn-sync-");
    NodeConfig config =
        NodeConfig.of(
            network,
            dir,
            c -> {
              c.listen = List.of(Multiaddr.parse(listen));
              c.bootnodes = List.of(peerAddr);
            });
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    try (Node node = Node.start(config)) {
      System.out.println(
          "fresh node "
              + node.p2p().host().peerId()
              + " at height "
              + node.chain().view().height()
              + ", syncing from "
              + peerId);
      long target = -1;
      while (System.nanoTime() < deadline) {
        if (target < 0) {
          target = peerHeight(node, peerId);
          if (target >= 0) {
            System.out.println("peer is at height " + target);
          }
        }
        SyncStatus s = node.syncStatus();
        long height = node.chain().view().height();
        System.out.printf(
            "height %d of %s, %s, %.1f blocks/s%n",
            height, target < 0 ? "?" : Long.toString(target), s.state(), s.blocksPerSecond());
        if (target >= 0 && height >= target) {
          System.out.println(
              "synced: height " + height + " head " + node.chain().view().headHash());
          return 0;
        }
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
      System.out.println("not synced within " + timeoutSeconds + "s");
      return 1;
    } finally {
      if (dataDir == null) {
        deleteTree(dir);
      }
    }
  }

  /** The peer's head height over the sync protocol's status request, or -1 if not yet connected. */
  static long peerHeight(Node node, PeerId peer) {
    if (node.p2p().host().connections().stream().noneMatch(c -> c.remotePeer().equals(peer))) {
      return -1;
    }
    try {
      return node.sync().rpc().status(peer, SyncMessage.Status.of(node.chain().view())).height();
    } catch (SyncFailure e) {
      System.out.println("status request failed: " + e.getMessage());
      return -1;
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
