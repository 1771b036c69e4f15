package dev.cairn.bench;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainState;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.store.ChainStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: blocks of 1,000 signed transactions imported per second by {@link ChainState} into a
 * RocksDB store in a temporary directory, with fsync per block on and off, next to the raw Ed25519
 * verification rate of the same transactions on one thread (each import verifies every signature).
 * 200 funded senders, each sending 5 transactions per block with consecutive nonces to fresh or
 * existing recipients.
 *
 * <p>Run: {@code bin/bench import [--blocks N] [--runs N]} (defaults 30 blocks, 3 runs; median).
 */
public final class ChainImportBenchmark {
  private static final int TXS = 1_000;
  private static final int SENDERS = 200;
  private static final int CHAIN_ID = 31;

  private ChainImportBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    Map<String, Integer> options = BenchOptions.parse(args, Map.of("--blocks", 30, "--runs", 3));
    int blocks = options.get("--blocks");
    int runs = options.get("--runs");
    BenchChain.Funded funded =
        BenchChain.funded("bench key", SENDERS, "bench", CHAIN_ID, 1_795_219_200_000L, 3_600_000);
    SigningKey[] keys = funded.keys();
    NetworkParams p = funded.params();
    System.out.printf(Locale.ROOT, "building %d blocks of %d transactions...%n", blocks, TXS);
    List<Block> chain = build(p, keys, blocks);

    importRate(p, chain, false); // warm-up
    List<Transaction> sample = new ArrayList<>();
    for (Block b : chain.subList(0, Math.min(5, chain.size()))) {
      sample.addAll(b.transactions());
    }
    double verify = verifyRate(sample);
    System.out.printf(Locale.ROOT, "Ed25519 verify, one thread: %,.0f signatures/s%n", verify);
    for (boolean sync : new boolean[] {false, true}) {
      double[] rates = new double[runs];
      for (int r = 0; r < runs; r++) {
        rates[r] = importRate(p, chain, sync);
      }
      Arrays.sort(rates);
      double median = rates[runs / 2];
      System.out.printf(
          Locale.ROOT,
          "import, fsync %-3s: %6.1f blocks/s = %,8.0f tx/s (%.0f %% of the verify rate); runs %s%n",
          sync ? "on" : "off",
          median,
          median * TXS,
          100 * median * TXS / verify,
          Arrays.toString(rates));
    }
  }

  private static List<Block> build(NetworkParams p, SigningKey[] keys, int n) {
    int perSender = TXS / keys.length;
    return BenchChain.build(
        p,
        keys.length,
        n,
        (b, nonces) -> {
          List<Transaction> txs = new ArrayList<>(TXS);
          for (int s = 0; s < keys.length; s++) {
            for (int k = 0; k < perSender; k++) {
              Address to = keys[(s + 1 + k + b) % keys.length].address();
              txs.add(
                  Transaction.signed(keys[s], CHAIN_ID, to, 1_000 + k, 10 + s % 7, nonces[s]++));
            }
          }
          return txs;
        });
  }

  private static double verifyRate(List<Transaction> txs) {
    int rounds = 5;
    long best = Long.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      for (Transaction tx : txs) {
        if (!tx.hasValidSignature()) {
          throw new IllegalStateException("bad signature");
        }
      }
      best = Math.min(best, System.nanoTime() - start);
    }
    return txs.size() / (best / 1e9);
  }

  private static double importRate(NetworkParams p, List<Block> chain, boolean sync)
      throws IOException {
    Path dir = Files.createTempDirectory("cairn-bench-chain");
    try (ChainStore store = ChainStore.open(dir, sync)) {
      ChainState state =
          ChainState.open(
              p,
              ChainConfig.defaults().withSyncWrites(sync),
              store,
              Long.MAX_VALUE / 4,
              Transaction::hasValidSignature);
      long start = System.nanoTime();
      for (Block b : chain) {
        ImportResult r = state.importBlock(b, "bench");
        if (r.outcome() != ImportResult.Outcome.IMPORTED_HEAD) {
          throw new IllegalStateException("import: " + r);
        }
      }
      return chain.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }
}
