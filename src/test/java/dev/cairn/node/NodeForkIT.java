package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.ChainFixture;
import dev.cairn.node.NodeProcesses.NodeProcess;
import dev.cairn.testing.Await;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two groups of node processes mine apart, then meet: everyone follows the heavier chain and the
 * losing branch's transactions go back to the mempools.
 */
@Timeout(150)
class NodeForkIT {
  @RegisterExtension final NodeProcesses procs = new NodeProcesses();

  @Test
  void groupsThatMinedApartConvergeOnTheHeavierChainAndTheLosersTxsReturn() throws Exception {
    // group A: a1 mines, a2 follows; group B: b1 mines, b2 follows. Neither knows the other.
    String minerA = NodeProcesses.DEV1;
    String minerB = ChainFixture.Trivial.key(7).address().toString();
    NodeProcess a1 = procs.start("a1", "127.0.0.2", "--mine", "--miner-address", minerA);
    NodeProcess a2 = procs.start("a2", "127.0.0.3", "--bootnode", a1.listenAddress());
    NodeProcess b1 = procs.start("b1", "127.0.0.4", "--mine", "--miner-address", minerB);
    NodeProcess b2 = procs.start("b2", "127.0.0.5", "--bootnode", b1.listenAddress());
    Await.until(() -> b2.height() >= 3, Duration.ofSeconds(40), "group B has a chain");

    // a transfer known to group B only, mined on B's branch
    Path keystore = procs.dir().resolve("dev0.json");
    Map<String, String> env = Map.of("CAIRN_PASSPHRASE", "fork test");
    procs.cli(env, "wallet", "import", "--dev-key", "0", "--keystore", keystore.toString());
    String txId =
        procs.cli(
            env,
            "tx",
            "send",
            "--node",
            b2.apiUrl(),
            "--keystore",
            keystore.toString(),
            "--to",
            ChainFixture.Trivial.key(43).address().toString(),
            "--amount",
            "1000000",
            "--fee",
            "5000");
    Await.until(
        () -> b2.confirmed(txId), Duration.ofSeconds(40), "the transfer is mined on B's branch");
    String blockOnB = b2.get("txs/" + txId).get("block").asText();
    assertThat(a1.get("txs/" + txId)).as("A never saw it").isNull();

    // B stops mining; A mines on until its chain is heavier than all of B's
    b1.stop();
    BigInteger workB = b1.work().max(b2.work());
    BigInteger workBAtB2 = b2.work();
    Await.until(
        () -> a1.work().compareTo(workBAtB2.add(workBAtB2.shiftRight(1))) > 0 && a2.height() > 0,
        Duration.ofSeconds(60),
        "A's chain has 1.5 times B's work");
    BigInteger workA = a1.work();
    System.out.printf(
        "fork: A height %d work %s, B height %d work %s%n",
        a1.height(), workA, b2.height(), workBAtB2);
    assertThat(workA).isGreaterThan(workB);

    // the bridge: b1 comes back without mining, with a bootnode in each group
    NodeProcess b1again =
        procs.start(
            "b1", "127.0.0.4", "--bootnode", a2.listenAddress(), "--bootnode", b2.listenAddress());
    List<NodeProcess> all = List.of(a1, a2, b1again, b2);
    long common = a1.height() + 1;
    for (NodeProcess n : all) {
      Await.until(() -> n.height() >= common, Duration.ofSeconds(60), n + " reaches " + common);
    }
    String hashOnA = a1.hashAt(common);
    for (NodeProcess n : all) {
      assertThat(n.hashAt(common)).as(n + " at " + common).isEqualTo(hashOnA);
      assertThat(n.work()).as(n + " work").isGreaterThan(workB);
    }

    // the transfer left B's abandoned block and is pending again, or already mined on A's chain
    for (NodeProcess n : List.of(b1again, b2)) {
      Await.until(
          () -> {
            JsonNode tx = n.get("txs/" + txId);
            return tx != null && !blockOnB.equals(tx.path("block").asText());
          },
          Duration.ofSeconds(20),
          "the transfer left B's block on " + n);
    }
    // and, once the B nodes passed it on, A's miner includes it in A's chain
    for (NodeProcess n : all) {
      Await.until(
          () -> n.confirmed(txId),
          Duration.ofSeconds(60),
          "the transfer is mined on A's chain, seen by " + n);
    }
    JsonNode tx = a1.get("txs/" + txId);
    assertThat(tx.get("block").asText()).isNotEqualTo(blockOnB);
    assertThat(a1.hashAt(tx.get("height").asLong())).isEqualTo(tx.get("block").asText());
  }
}
