package dev.cairn.bench;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.gossip.NodeGossip;
import dev.cairn.node.sync.SyncConfig;
import dev.cairn.node.sync.SyncManager;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test: a fresh node syncing a chain from 3 peers over real loopback TCP (Noise, yamux, the
 * sync protocols, gossip running alongside), next to the same blocks imported locally through
 * {@link ChainService} without a network. All nodes are assembled as {@code Node} assembles them
 * (chain service, libp2p host, gossip router, chain gossip, sync manager), in one JVM.
 *
 * <p>The chain: {@code --blocks} blocks (default 5,000) of {@code --txs} signed transfers each
 * (default 20) on a network with the easiest target, so it builds in seconds. Blocks are 1 s apart
 * from a genesis two days ago, so every block lies in the past.
 *
 * <p>Run: {@code bin/bench sync [--blocks N] [--txs N] [--runs N] [--fsync 0|1]} (median of runs,
 * default 3; {@code --fsync 0} turns {@link ChainConfig#syncWrites} off). Each run prints its rate
 * and the CPU seconds per 1,000 blocks of the process (serving peers included), of the importing
 * node's chain owner and (sync) of its verifier threads, the collectors' time, and for a sync the
 * busiest thread groups of the JVM.
 */
public final class SyncBenchmark {
  private static final String NETWORK = "bench";
  private static final int CHAIN_ID = 77;
  private static final int SENDERS = 100;
  private static ChainConfig config = ChainConfig.defaults();

  private SyncBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> options =
        BenchOptions.parse(args, Map.of("--blocks", 5_000, "--txs", 20, "--runs", 3, "--fsync", 1));
    int blocks = options.get("--blocks");
    int txs = options.get("--txs");
    int runs = options.get("--runs");
    config = ChainConfig.defaults().withSyncWrites(options.get("--fsync") != 0);
    BenchChain.Funded funded =
        BenchChain.funded(
            "sync bench key",
            SENDERS,
            NETWORK,
            CHAIN_ID,
            System.currentTimeMillis() - 2 * 86_400_000L,
            30_000);
    SigningKey[] keys = funded.keys();
    NetworkParams p = funded.params();
    System.out.printf(
        Locale.ROOT,
        "building %d blocks of %d transactions (max heap %d MiB)...%n",
        blocks,
        txs,
        Runtime.getRuntime().maxMemory() >> 20);
    List<Block> chain = build(p, keys, blocks, txs);
    Path root = Files.createTempDirectory("cairn-bench-sync");
    try {
      // the local baseline: the first import warms the JIT and is not counted; each import fills
      // a node that later serves the sync, until there are three
      List<BenchNode> peers = new ArrayList<>();
      double[] local = new double[runs];
      double[] localCpu = new double[runs];
      double[] localOwner = new double[runs];
      for (int r = 0; r < Math.max(runs + 1, 3); r++) {
        Set<Long> owners0 = ThreadCpu.ids("chain-owner"::equals);
        BenchNode n = BenchNode.start(p, root.resolve("peer" + r), 100 + r);
        Set<Long> owner = ThreadCpu.ids("chain-owner"::equals);
        owner.removeAll(owners0);
        ThreadCpu cpu0 = ThreadCpu.now();
        long start = System.nanoTime();
        importAll(n.chain, chain);
        double rate = chain.size() / ((System.nanoTime() - start) / 1e9);
        ThreadCpu cpu1 = ThreadCpu.now();
        double perK = 1000.0 / chain.size();
        double processK = cpu1.processSeconds(cpu0) * perK;
        double ownerK = cpu1.seconds(cpu0, owner) * perK;
        if (r >= 1 && r <= runs) {
          local[r - 1] = rate;
          localCpu[r - 1] = processK;
          localOwner[r - 1] = ownerK;
        }
        System.out.printf(
            Locale.ROOT,
            "local import %d%s: %.0f blocks/s; CPU s per 1,000 blocks: process %.2f, chain owner"
                + " %.2f; GC %d ms%n",
            r,
            r == 0 ? " (warm-up)" : "",
            rate,
            processK,
            ownerK,
            cpu1.gcMillis(cpu0));
        if (peers.size() < 3) {
          peers.add(n);
        } else {
          n.close();
        }
      }
      // syncs of a fresh node from the three peers
      double[] synced = new double[runs];
      double[] syncCpu = new double[runs];
      double[] syncOwner = new double[runs];
      double[] syncVerify = new double[runs];
      for (int r = 0; r < runs; r++) {
        Set<Long> owners0 = ThreadCpu.ids("chain-owner"::equals);
        Set<Long> verifiers0 = ThreadCpu.ids(t -> t.startsWith("chain-verify-"));
        try (BenchNode fresh = BenchNode.start(p, root.resolve("fresh" + r), 200 + r)) {
          Set<Long> owner = ThreadCpu.ids("chain-owner"::equals);
          owner.removeAll(owners0);
          ThreadCpu cpu0 = ThreadCpu.now();
          long start = System.nanoTime();
          for (BenchNode peer : peers) {
            fresh.p2p.host().dial(peer.p2p.host().fullAddress().orElseThrow());
          }
          long deadline = start + TimeUnit.MINUTES.toNanos(10);
          while (fresh.chain.view().height() < blocks) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("sync did not finish: " + fresh.sync.status());
            }
            LockSupport.parkNanos(1_000_000);
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          ThreadCpu cpu1 = ThreadCpu.now();
          Set<Long> verifiers = ThreadCpu.ids(t -> t.startsWith("chain-verify-"));
          verifiers.removeAll(verifiers0);
          double perK = 1000.0 / blocks;
          synced[r] = blocks / seconds;
          syncCpu[r] = cpu1.processSeconds(cpu0) * perK;
          syncOwner[r] = cpu1.seconds(cpu0, owner) * perK;
          syncVerify[r] = cpu1.seconds(cpu0, verifiers) * perK;
          if (!fresh.chain.view().headHash().equals(chain.get(blocks - 1).hash())) {
            throw new IllegalStateException("synced to another head");
          }
          System.out.printf(
              Locale.ROOT,
              "sync %d from 3 peers: %.1f s, %.0f blocks/s; CPU s per 1,000 blocks: process %.2f,"
                  + " chain owner %.2f, verifiers %.2f; GC %d ms%n",
              r + 1,
              seconds,
              synced[r],
              syncCpu[r],
              syncOwner[r],
              syncVerify[r],
              cpu1.gcMillis(cpu0));
          StringBuilder groups = new StringBuilder("  threads (CPU s, all nodes):");
          cpu1.byGroup(cpu0).entrySet().stream()
              .limit(8)
              .forEach(
                  e ->
                      groups.append(
                          String.format(Locale.ROOT, " %s %.2f", e.getKey(), e.getValue())));
          System.out.println(groups);
        }
      }
      for (BenchNode peer : peers) {
        peer.close();
      }
      double l = median(local);
      double s = median(synced);
      System.out.printf(
          Locale.ROOT,
          "local import (median): %6.0f blocks/s = %,8.0f tx/s; runs %s%n",
          l,
          l * txs,
          format(local));
      System.out.printf(
          Locale.ROOT,
          "sync, 3 peers (median): %5.0f blocks/s = %,8.0f tx/s; runs %s%n",
          s,
          s * txs,
          format(synced));
      System.out.printf(
          Locale.ROOT,
          "CPU s per 1,000 blocks (median): local import process %.2f, chain owner %.2f; sync"
              + " process %.2f (serving peers included), chain owner %.2f, verifiers %.2f%n",
          median(localCpu),
          median(localOwner),
          median(syncCpu),
          median(syncOwner),
          median(syncVerify));
      // Issue 15's goal: syncing takes at most 1.2 times as long as importing the same blocks.
      System.out.printf(
          Locale.ROOT,
          "network overhead: sync takes %.2f times as long as the local import (goal: at most 1.2)%n",
          l / s);
    } finally {
      try (var paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  private static String format(double[] rates) {
    return Arrays.stream(rates)
        .mapToObj(r -> String.format(Locale.ROOT, "%.0f", r))
        .toList()
        .toString();
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Imports in order, keeping up to 64 imports queued at the owner (as sync does with a batch). */
  private static void importAll(ChainService chain, List<Block> blocks) throws Exception {
    List<CompletableFuture<?>> window = new ArrayList<>();
    for (Block b : blocks) {
      window.add(
          chain
              .importBlock(b, "bench")
              .thenAccept(
                  r -> {
                    if (!r.imported()) {
                      throw new IllegalStateException("import: " + r);
                    }
                  }));
      if (window.size() == 64) {
        for (CompletableFuture<?> f : window) {
          f.get(60, TimeUnit.SECONDS);
        }
        window.clear();
      }
    }
    for (CompletableFuture<?> f : window) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  private static List<Block> build(NetworkParams p, SigningKey[] keys, int n, int txs) {
    return BenchChain.build(
        p,
        keys.length,
        n,
        (b, nonces) -> {
          List<Transaction> list = new ArrayList<>(txs);
          for (int k = 0; k < txs; k++) {
            int s = (b * txs + k) % keys.length;
            Address to = keys[(s + 1 + b % (keys.length - 1)) % keys.length].address();
            list.add(Transaction.signed(keys[s], CHAIN_ID, to, 1_000 + k, 10, nonces[s]++));
          }
          return list;
        });
  }

  /** A node as {@code Node} wires it, minus API, miner and DHT, on 127.0.0.1 over TCP. */
  private static final class BenchNode implements AutoCloseable {
    final ChainService chain;
    final Libp2p p2p;
    final GossipRouter router;
    final SyncManager sync;

    private BenchNode(ChainService chain, Libp2p p2p, GossipRouter router, SyncManager sync) {
      this.chain = chain;
      this.p2p = p2p;
      this.router = router;
      this.sync = sync;
    }

    static BenchNode start(NetworkParams p, Path dir, int seed) throws IOException {
      ChainService chain = ChainService.start(p, config, dir, Clock.systemUTC());
      byte[] key = new byte[32];
      new java.util.Random(seed).nextBytes(key);
      Libp2p p2p =
          Libp2p.create(
              HostConfig.defaults(
                  Ed25519PrivateKey.fromSeed(key),
                  List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
      GossipRouter router = GossipRouter.start(p2p.host(), GossipConfig.cairn());
      SyncManager sync = SyncManager.start(p2p.host(), chain, NETWORK, SyncConfig.defaults());
      NodeGossip.start(router, chain, NETWORK, sync::fetchAncestors, sync.rpc());
      return new BenchNode(chain, p2p, router, sync);
    }

    @Override
    public void close() {
      sync.close();
      router.close();
      p2p.close();
      chain.close();
    }
  }
}
