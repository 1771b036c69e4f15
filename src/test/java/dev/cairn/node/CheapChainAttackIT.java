package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.CheapChain;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.model.Block;
import dev.cairn.node.NodeProcesses.NodeProcess;
import dev.cairn.testing.Await;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scenario of issue t2-A as node processes: a peer serves a long chain of near-free blocks, a
 * fresh node syncs it first, then meets an honest miner whose chain carries far more work. The
 * fresh node must move to the honest chain (a reorg deeper than any count-based bound) and never
 * hold it against the miner.
 */
@Timeout(180)
class CheapChainAttackIT {
  private static final int CHEAP_BLOCKS = 1_500;

  @RegisterExtension final NodeProcesses procs = new NodeProcesses();

  /** The fresh node's view of {@code peer}: its /api/v1/peers entry, or null. */
  private static JsonNode peerEntry(NodeProcess at, String peer) {
    JsonNode peers = at.get("peers");
    if (peers == null) {
      return null;
    }
    for (JsonNode p : peers) {
      if (p.get("peerId").asText().equals(peer)) {
        return p;
      }
    }
    return null;
  }

  /** As {@link Await#until}, printing the end of {@code n}'s log when the wait fails. */
  private static void awaitOrShow(
      NodeProcess n, java.util.function.BooleanSupplier condition, Duration d, String what) {
    try {
      Await.until(condition, d, what);
    } catch (AssertionError e) {
      List<String> lines = n.lines();
      lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
      throw e;
    }
  }

  @Test
  void aFreshNodeLeavesACheapLongChainForTheHeavierHonestChainAndNeverBlamesTheMiner()
      throws Exception {
    List<Block> cheap =
        procs.prebuildCheapDevChain("cheap", CHEAP_BLOCKS, ChainFixture.Trivial.key(66).address());
    BigInteger cheapWork = CheapChain.chainWork(GenesisFile.load("dev"), cheap);

    // The honest miner builds its chain alone first: far more work, far fewer blocks.
    NodeProcess miner =
        procs.start("miner", "127.0.0.4", "--mine", "--miner-address", NodeProcesses.DEV1);
    BigInteger enough = cheapWork.multiply(BigInteger.valueOf(20));
    Await.until(
        () -> miner.work().compareTo(enough) > 0,
        Duration.ofSeconds(90),
        "the honest miner's chain has 20 times the cheap chain's work");
    miner.stop();

    // The attacker's node serves the cheap chain; a fresh node meets it first and syncs it.
    NodeProcess attacker = procs.start("cheap", "127.0.0.2");
    NodeProcess fresh = procs.start("fresh", "127.0.0.3", "--bootnode", attacker.listenAddress());
    Await.until(
        () -> fresh.height() == CHEAP_BLOCKS,
        Duration.ofSeconds(60),
        "the fresh node syncs the cheap chain first");
    assertThat(fresh.work()).isEqualTo(cheapWork);

    // Now the honest miner comes back, mining, and meets the fresh node.
    NodeProcess back =
        procs.start(
            "miner",
            "127.0.0.4",
            "--mine",
            "--miner-address",
            NodeProcesses.DEV1,
            "--bootnode",
            fresh.listenAddress());
    String minerId = back.peerId();
    long met = System.nanoTime();
    AtomicInteger penalties = new AtomicInteger();
    awaitOrShow(
        fresh,
        () -> {
          JsonNode entry = peerEntry(fresh, minerId);
          if (entry != null) {
            penalties.set(Math.max(penalties.get(), entry.get("penalties").asInt()));
          }
          String honest1 = back.hashAt(1);
          return honest1 != null
              && honest1.equals(fresh.hashAt(1))
              && fresh.work().compareTo(enough) > 0;
        },
        Duration.ofSeconds(60),
        "the fresh node is on the honest chain within 60 s of meeting the miner");
    long seconds = (System.nanoTime() - met) / 1_000_000_000L;
    System.out.printf(
        "cheap chain: %d blocks, work %s; fresh node on the honest chain after %d s at height %d,"
            + " work %s%n",
        CHEAP_BLOCKS, cheapWork, seconds, fresh.height(), fresh.work());

    // The miner was never penalised by the fresh node, and is still connected to it.
    JsonNode entry = peerEntry(fresh, minerId);
    assertThat(entry).as("the miner is still connected to the fresh node").isNotNull();
    assertThat(Math.max(penalties.get(), entry.get("penalties").asInt()))
        .as("penalties the fresh node gave the honest miner")
        .isZero();
    assertThat(fresh.lines()).noneMatch(l -> l.contains("Banned peer " + minerId));
  }
}
