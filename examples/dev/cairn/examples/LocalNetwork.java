package dev.cairn.examples;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * A dev network of four nodes in one process: node 0 is the bootnode, node 1 mines, node 3 submits
 * three transfers from dev key 0 to a fresh key. Prints every node's head once a second until all
 * four agree on a head that includes the transfers, then stops them and exits 0 (or 1 after {@code
 * --timeout} seconds, default 90).
 *
 * <pre>
 * bin/cairn example local-network
 * </pre>
 */
public final class LocalNetwork {
  private LocalNetwork() {}

  public static void main(String[] args) throws Exception {
    Duration timeout =
        Duration.ofSeconds(
            args.length == 2 && args[0].equals("--timeout") ? Long.parseLong(args[1]) : 90);
    // The nodes' own logs go to WARN so that the heads printed here stay readable.
    Configurator.setLevel("dev.cairn", Level.WARN);
    Path dir = Files.createTempDirectory("cairn-local-");
    SigningKey dev0 = devKey(0);
    Address miner = devKey(1).address();
    Address recipient = SigningKey.generate(new SecureRandom()).address();
    List<Node> nodes = new ArrayList<>();
    int status = 1;
    try {
      nodes.add(Node.start(config(dir, 0, List.of(), false, null)));
      Multiaddr boot = nodes.get(0).p2p().host().fullAddresses().get(0);
      System.out.println("node0 (bootnode) listening on " + boot);
      for (int i = 1; i < 4; i++) {
        nodes.add(Node.start(config(dir, i, List.of(boot), i == 1, miner)));
      }
      System.out.println("node1 mines to " + miner + "; transfers go to " + recipient);
      long deadline = System.nanoTime() + timeout.toNanos();
      // Transfers go out once node3 shares the miner's head: by then its gossip mesh has formed,
      // so the miner hears of them (a transaction published to no mesh peer is not resent).
      while (System.nanoTime() < deadline) {
        printHeads(nodes);
        if (nodes.get(3).chain().view().height() >= 2 && sameHead(nodes)) {
          break;
        }
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      }
      Node sender = nodes.get(3);
      int chainId = sender.params().chainId();
      long total = 0;
      for (int nonce = 0; nonce < 3; nonce++) {
        long amount = (nonce + 1) * 100_000_000L;
        Transaction tx = Transaction.signed(dev0, chainId, recipient, amount, 1_000, nonce);
        var admission = sender.submitTransaction(tx).get(10, TimeUnit.SECONDS);
        System.out.println(
            "node3 submits tx " + tx.id() + " (" + amount + " units): " + admission.outcome());
        total += amount;
      }
      while (System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        printHeads(nodes);
        if (converged(nodes, recipient, total)) {
          System.out.println(
              "converged: all 4 nodes at the same head; " + recipient + " holds " + total);
          status = 0;
          break;
        }
      }
      if (status != 0) {
        System.out.println("did not converge within " + timeout.toSeconds() + "s");
      }
    } finally {
      for (Node n : nodes) {
        n.close();
      }
      deleteTree(dir);
    }
    System.exit(status);
  }

  static void printHeads(List<Node> nodes) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      var view = nodes.get(i).chain().view();
      line.append(
          String.format(
              "node%d %4d %s  ", i, view.height(), view.headHash().toString().substring(0, 12)));
    }
    System.out.println(line.toString().strip());
  }

  static boolean sameHead(List<Node> nodes) {
    Hash head = nodes.get(0).chain().view().headHash();
    return nodes.stream().allMatch(n -> n.chain().view().headHash().equals(head));
  }

  /** Same head everywhere, and the recipient's balance there is the sum of the transfers. */
  static boolean converged(List<Node> nodes, Address recipient, long total) throws Exception {
    if (!sameHead(nodes)) {
      return false;
    }
    Account a = nodes.get(0).chain().account(recipient).get(5, TimeUnit.SECONDS).orElse(null);
    return a != null && a.balance() == total;
  }

  static NodeConfig config(Path dir, int i, List<Multiaddr> boot, boolean mine, Address miner) {
    Path data = dir.resolve("node" + i);
    // No HTTP API (the default): this program reads each node's chain directly.
    return NodeConfig.of(
        "dev",
        data,
        c -> {
          c.bootnodes = boot;
          c.mine = mine;
          c.minerAddress = miner;
        });
  }

  /** Dev network key i: seed SHA-256("cairn dev key i"), prefunded on dev only (PROTOCOL.md). */
  static SigningKey devKey(int i) {
    return SigningKey.fromSeed(
        Hash.sha256(("cairn dev key " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
