package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.chain.ChainFixture;
import dev.cairn.node.NodeProcesses.NodeProcess;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node as users run it, several at once: {@code cairn node} processes on 127.0.0.2 … .6 on the
 * dev network, talking libp2p to each other and HTTP to the test.
 */
@Timeout(150)
class NodeNetworkIT {
  private static final Map<String, String> PASSPHRASE = Map.of("CAIRN_PASSPHRASE", "it works");

  @RegisterExtension final NodeProcesses procs = new NodeProcesses();

  private static String peerId(String multiaddr) {
    return Multiaddr.parse(multiaddr).peerId().orElseThrow().toBase58();
  }

  @Test
  void fiveNodesFromOneBootnodeShareTheHeadAndACliTransferWithAgreeingBalances() throws Exception {
    NodeProcess boot = procs.start("n2", "127.0.0.2");
    String bootAddr = boot.listenAddress();
    NodeProcess miner =
        procs.start(
            "n3",
            "127.0.0.3",
            "--bootnode",
            bootAddr,
            "--mine",
            "--miner-address",
            NodeProcesses.DEV1);
    List<NodeProcess> all = new ArrayList<>(List.of(boot, miner));
    for (int i = 4; i <= 6; i++) {
      all.add(procs.start("n" + i, "127.0.0." + i, "--bootnode", bootAddr));
    }
    NodeProcess target = all.get(3); // n5: not mining, not the bootnode
    for (NodeProcess n : all) {
      Await.until(
          () -> n.status() != null && n.status().get("peerCount").asInt() >= 1,
          Duration.ofSeconds(40),
          n + " has a peer");
    }

    // a transfer from dev key 0, through the CLI, to a node that does not mine
    Path keystore = procs.dir().resolve("dev0.json");
    String from =
        procs.cli(
            PASSPHRASE, "wallet", "import", "--dev-key", "0", "--keystore", keystore.toString());
    assertThat(from).isEqualTo(NodeProcesses.DEV0);
    String to = ChainFixture.Trivial.key(42).address().toString();
    long amount = 123_456_789;
    String txId =
        procs.cli(
            PASSPHRASE,
            "tx",
            "send",
            "--node",
            target.apiUrl(),
            "--keystore",
            keystore.toString(),
            "--to",
            to,
            "--amount",
            Long.toString(amount),
            "--fee",
            "1000");
    assertThat(txId).matches("[0-9a-f]{64}");

    // mined and visible on all five
    for (NodeProcess n : all) {
      Await.until(() -> n.confirmed(txId), Duration.ofSeconds(60), "transfer confirmed on " + n);
    }
    long txHeight = target.get("txs/" + txId).get("height").asLong();
    String txBlock = target.get("txs/" + txId).get("block").asText();
    for (NodeProcess n : all) {
      assertThat(n.get("txs/" + txId).get("block").asText()).as(n.toString()).isEqualTo(txBlock);
    }

    // the same head: a fixed height a few blocks on, with the same hash everywhere
    long common = txHeight + 3;
    for (NodeProcess n : all) {
      Await.until(() -> n.height() >= common, Duration.ofSeconds(60), n + " reaches " + common);
    }
    assertThat(all.stream().map(n -> n.hashAt(common)).distinct().toList())
        .as("hash at height %d on all five", common)
        .hasSize(1)
        .doesNotContainNull();

    // balances agree: stop the miner, let the others settle on one head, then compare
    miner.stop();
    List<NodeProcess> rest = all.stream().filter(n -> n != miner).toList();
    Await.until(
        () -> rest.stream().map(n -> n.status().get("headHash").asText()).distinct().count() == 1,
        Duration.ofSeconds(30),
        "the four remaining nodes agree on the head");
    Set<String> accounts = new HashSet<>();
    for (NodeProcess n : rest) {
      JsonNode sender = n.get("accounts/" + from);
      JsonNode recipient = n.get("accounts/" + to);
      assertThat(recipient.get("balance").asLong()).as(n.toString()).isEqualTo(amount);
      assertThat(sender.get("nonce").asLong()).as(n.toString()).isEqualTo(1);
      accounts.add(sender.toString() + recipient);
    }
    assertThat(accounts).as("sender and recipient accounts, equal on all").hasSize(1);
  }

  @Test
  void lateJoinerSyncsA500BlockChainWithinTheBound() throws Exception {
    int n = 520;
    var blocks = procs.prebuildDevChain("a", n, ChainFixture.Trivial.key(5).address());
    NodeProcess a = procs.start("a", "127.0.0.2");
    Await.until(() -> a.height() == n, Duration.ofSeconds(40), "a serves its " + n + " blocks");
    long t0 = System.nanoTime();
    NodeProcess late = procs.start("late", "127.0.0.3", "--bootnode", a.listenAddress());
    List<JsonNode> syncing = new ArrayList<>();
    Await.until(
        () -> {
          JsonNode s = late.status();
          if (s != null && s.get("sync").get("state").asText().equals("SYNCING")) {
            syncing.add(s.get("sync"));
          }
          return s != null && s.get("headHeight").asLong() >= n;
        },
        Duration.ofSeconds(60),
        "the late joiner reaches " + n);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "late joiner: %d blocks in %.1f s from process start (%d status samples while syncing)%n",
        n, seconds, syncing.size());
    assertThat(late.hashAt(n)).isEqualTo(blocks.get(n - 1).hash().toString());
    assertThat(seconds).as("seconds from start to height %d", n).isLessThan(45);
    // progress was visible: the status showed the round (or the log its progress line)
    assertThat(
            syncing.stream().anyMatch(s -> s.get("targetHeight").asLong() >= n)
                || late.logged("Sync: height "))
        .as("sync progress visible in status or log")
        .isTrue();
  }

  @Test
  void aNodeWithAnotherGenesisIsRefusedWithTheReasonInBothLogs() throws Exception {
    // dev.json with one allocation changed: same network name, another genesis hash
    ObjectNode net;
    try (InputStream in = NodeNetworkIT.class.getResourceAsStream("/networks/dev.json")) {
      net = (ObjectNode) NodeProcesses.JSON.readTree(Objects.requireNonNull(in));
    }
    ((ObjectNode) net.withArray("allocations").get(0)).put("balance", 42);
    Path other = procs.dir().resolve("other-dev.json");
    Files.writeString(other, net.toString());

    NodeProcess a = procs.start("a", "127.0.0.2");
    String addrA = a.listenAddress();
    NodeProcess b =
        procs.start("b", "127.0.0.3", "--genesis-file", other.toString(), "--bootnode", addrA);
    String idA = peerId(addrA);
    String idB = peerId(b.listenAddress());
    String genesisA = a.status().get("genesis").asText();
    String genesisB = b.status().get("genesis").asText();
    assertThat(genesisB).isNotEqualTo(genesisA);
    String reasonAtA = "Refusing peer " + idB + ": genesis " + genesisB + " differs from ours";
    String reasonAtB = "Refusing peer " + idA + ": genesis " + genesisA + " differs from ours";
    Await.until(() -> a.logged(reasonAtA), Duration.ofSeconds(30), "a logs why it refuses b");
    Await.until(() -> b.logged(reasonAtB), Duration.ofSeconds(30), "b logs why it refuses a");
    Await.until(
        () -> a.status().get("peerCount").asInt() == 0 && b.status().get("peerCount").asInt() == 0,
        Duration.ofSeconds(30),
        "the two are disconnected");
  }
}
