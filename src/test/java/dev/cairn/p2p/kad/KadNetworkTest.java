package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Whole networks of full-stack hosts with the DHT, in one JVM over the in-memory transport. */
@Timeout(120)
class KadNetworkTest {
  private static final Logger LOG = LogManager.getLogger();
  static final String PROTOCOL = "/cairn/test/kad/1.0.0";

  @RegisterExtension final TestNet net = TestNet.memory(32 * 1024);

  static KadConfig testConfig() {
    return KadConfig.defaults()
        .withProtocolId(PROTOCOL)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10))
        .with(KadConfig::walkInterval, Duration.ofMillis(100));
  }

  private Libp2p host(long seed) throws Exception {
    return net.host(seed);
  }

  private KadDht node(long seed, KadConfig config, List<Multiaddr> bootnodes) throws Exception {
    KadDht d = KadDht.start(host(seed), config, bootnodes);
    net.own(d);
    return d;
  }

  private static Multiaddr address(KadDht d) {
    return d.host().fullAddress().orElseThrow();
  }

  @Test
  void fiftyNodesFromOneBootnodeReachTheTargetAndSurviveItsLoss() throws Exception {
    KadConfig config = testConfig().with(KadConfig::targetConnections, 25);
    KadDht boot = node(1000, config, List.of());
    List<Multiaddr> bootnodes = List.of(address(boot));
    long start = System.nanoTime();
    List<KadDht> nodes = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      nodes.add(node(i, config, bootnodes));
    }
    List<KadDht> all = new ArrayList<>(nodes);
    all.add(boot);
    Await.until(
        () -> all.stream().allMatch(d -> d.connectedPeers() >= 25),
        Duration.ofSeconds(40),
        "every node connected to 25 peers");
    long joinedMs = (System.nanoTime() - start) / 1_000_000;
    int minTable = all.stream().mapToInt(KadDht::routingTableSize).min().orElseThrow();
    LOG.info(
        "50 nodes reached 25 connections in {} ms; smallest routing table {}", joinedMs, minTable);
    System.out.printf(
        "kad: 50 nodes reached 25 connections in %d ms, min table %d%n", joinedMs, minTable);
    assertThat(minTable).isGreaterThanOrEqualTo(20);

    // the bootnode goes away; a newcomer joins through any other node and is found by others
    PeerId bootId = boot.host().peerId();
    boot.close();
    boot.libp2p().close();
    KadDht newcomer = node(5000, config, List.of(address(nodes.get(17))));
    PeerId newId = newcomer.host().peerId();
    Await.until(
        () -> newcomer.connectedPeers() >= 25, Duration.ofSeconds(20), "newcomer reaches target");
    assertThat(newcomer.routingTable()).doesNotContain(bootId);
    int found = 0;
    for (KadDht d : nodes.subList(30, 40)) {
      KadQuery.Result r = d.lookup(newId.bytes(), newId);
      if (r.found() != null
          && r.found().addresses().contains(newcomer.host().listenAddresses().getFirst())) {
        found++;
      }
    }
    assertThat(found).isEqualTo(10);
  }

  @Test
  void thirtyInboundSybilsDoNotStopOutboundDiscovery() throws Exception {
    KadConfig config = testConfig().with(KadConfig::targetConnections, 4);
    KadDht boot = node(7000, config, List.of());
    for (int i = 0; i < 16; i++) {
      node(7100 + i, config, List.of(address(boot)));
    }
    // The victim's host is up first, and 30 sybils (plain hosts, no DHT) connect to it.
    Libp2p victim = host(7200);
    for (int i = 0; i < 30; i++) {
      host(7300 + i).host().dial(victim.host().fullAddress().orElseThrow());
    }
    Await.until(
        () -> victim.host().connections().size() >= 30, Duration.ofSeconds(20), "sybils connected");
    // Narrow lookups (k = 2, one at a time), so the peers its self-lookup dials are fewer than
    // its target: only random walks, which run below the target, bring the rest.
    KadConfig narrow =
        testConfig().with(KadConfig::targetConnections, 10).withK(2).with(KadConfig::alpha, 1);
    KadDht d = KadDht.start(victim, narrow, List.of(address(boot)));
    net.own(d);
    Await.until(
        () -> d.outboundPeers() >= 10,
        Duration.ofSeconds(20),
        "the victim dials peers of its own choosing despite 30 inbound peers");
    assertThat(d.connectedPeers()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void lookupsInAHundredNodeNetworkReturnTheTrueKClosest() throws Exception {
    KadConfig config = testConfig().with(KadConfig::targetConnections, 10);
    KadDht boot = node(2000, config, List.of());
    List<KadDht> all = new ArrayList<>();
    all.add(boot);
    for (int i = 0; i < 99; i++) {
      all.add(node(3000 + i, config, List.of(address(boot))));
    }
    List<PeerId> ids = all.stream().map(d -> d.host().peerId()).toList();
    Await.until(
        () -> all.stream().allMatch(d -> d.routingTableSize() >= 15),
        Duration.ofSeconds(40),
        "every routing table has 15 peers");
    Random r = new Random(4242);
    int exact = 0;
    int keys = 60;
    long totalNanos = 0;
    for (int i = 0; i < keys; i++) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      KadDht from = all.get(r.nextInt(all.size()));
      List<PeerId> others = ids.stream().filter(p -> !p.equals(from.host().peerId())).toList();
      long t0 = System.nanoTime();
      List<PeerId> got = from.closestPeers(key);
      totalNanos += System.nanoTime() - t0;
      if (got.equals(KadTestSupport.trueClosest(others, key, config.k()))) {
        exact++;
      }
    }
    System.out.printf(
        "kad: 100 nodes, %d/%d lookups exact, mean lookup %.1f ms%n",
        exact, keys, totalNanos / 1e6 / keys);
    assertThat(exact).isGreaterThanOrEqualTo(keys * 95 / 100);
  }
}
