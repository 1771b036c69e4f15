package dev.cairn.bench;

import dev.cairn.chain.consensus.BlockValidator;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Keys;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.InMemoryAccounts;
import dev.cairn.chain.state.StateTransition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: chain CPU figures on one thread, printed as a table (run with {@code bin/bench
 * chain}, see docs/BENCHMARKS.md).
 *
 * <ol>
 *   <li>nonce search hashes/s ({@link ProofOfWork#search}, prefix state reused) next to {@code
 *       openssl speed -bytes 116 sha256} run from this process; both per CPU second of one thread,
 *       because the box is shared and openssl reports CPU time too;
 *   <li>transactions verified and applied per second ({@link StateTransition#applyBlock} on blocks
 *       of 1,000 transfers) next to raw Ed25519 verifications per second of the same messages;
 *   <li>blocks of 1,000 transactions checked (body rules) and applied per second, in memory.
 * </ol>
 *
 * Options: {@code --seconds N} per measurement (default 3), {@code --blocks N} (default 8).
 */
public final class ChainBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ChainBenchmark() {}

  /** Runs all measurements and prints the table. */
  public static void main(String[] args) throws Exception {
    double seconds = 3;
    int blocks = 8;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
        case "--blocks" -> blocks = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<String[]> rows = new ArrayList<>();

    double javaHashes = hashRate(seconds);
    double opensslHashes = opensslSha256(seconds, false);
    double opensslEvp = opensslSha256(seconds, true);
    rows.add(row("nonce search, hashes/s per thread (CPU)", javaHashes));
    rows.add(row("openssl speed -bytes 116 sha256, hashes/s (CPU)", opensslHashes));
    rows.add(new String[] {"  ratio (goal >= 60%)", pct(javaHashes / opensslHashes)});
    rows.add(row("openssl speed -evp sha256 -bytes 116, hashes/s (CPU)", opensslEvp));
    rows.add(new String[] {"  ratio to -evp", pct(javaHashes / opensslEvp)});

    Fixture f = new Fixture(blocks);
    verifyRate(f, 1); // warm-up (JIT) of both paths before measuring either
    applyRate(f, 1);
    double verify = verifyRate(f, seconds);
    double[] apply = applyRate(f, seconds);
    rows.add(row("raw Ed25519 verifications/s", verify));
    rows.add(row("transactions verified+applied/s", apply[0]));
    rows.add(new String[] {"  ratio (goal >= 70%)", pct(apply[0] / verify)});
    rows.add(row("blocks of 1,000 tx checked+applied/s (memory)", apply[1]));

    System.out.printf(
        Locale.ROOT,
        "%nCairn chain benchmark (%s, %d cores, one thread)%n",
        System.getProperty("java.vm.version"),
        Runtime.getRuntime().availableProcessors());
    for (String[] r : rows) {
      System.out.printf(Locale.ROOT, "%-50s %15s%n", r[0], r[1]);
    }
  }

  private static String[] row(String name, double v) {
    return new String[] {name, String.format(Locale.ROOT, "%,.0f", v)};
  }

  private static String pct(double r) {
    return String.format(Locale.ROOT, "%.0f %%", 100 * r);
  }

  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  static double hashRate(double seconds) {
    BlockHeader h =
        new BlockHeader(1, 1, Hash.ZERO, Hash.ZERO, Address.of(new byte[20]), 0, 0x03000001, 0);
    byte[] prefix = h.prefix();
    // Target 1 is never met: every nonce is hashed.
    ProofOfWork.search(prefix, h.bits(), 0, 2_000_000); // warm-up
    long chunk = 1_000_000;
    long done = 0;
    long start = cpu();
    long budget = (long) (seconds * 1e9);
    while (cpu() - start < budget) {
      ProofOfWork.search(prefix, h.bits(), done, chunk);
      done += chunk;
    }
    return done / ((cpu() - start) / 1e9);
  }

  static double opensslSha256(double seconds, boolean evp) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "speed",
                "-mr",
                "-seconds",
                String.valueOf((int) Math.ceil(seconds)),
                "-bytes",
                String.valueOf(Limits.HEADER_BYTES)));
    cmd.addAll(evp ? List.of("-evp", "sha256") : List.of("sha256"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    double bytesPerSecond = -1;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        // "+F:<n>:sha256:<bytes per CPU second>"
        if (line.startsWith("+F:")) {
          String[] parts = line.split(":");
          bytesPerSecond = Double.parseDouble(parts[parts.length - 1]);
        }
      }
    }
    p.waitFor();
    if (bytesPerSecond < 0) {
      throw new IllegalStateException("openssl speed printed no +F line");
    }
    return bytesPerSecond / Limits.HEADER_BYTES;
  }

  /** Funded senders and blocks of 1,000 signed transfers, valid in sequence. */
  static final class Fixture {
    final NetworkParams params;
    final InMemoryAccounts genesis;
    final List<Block> blocks = new ArrayList<>();
    final List<byte[][]> verifyInputs = new ArrayList<>();

    Fixture(int count) {
      int senders = 200;
      List<SigningKey> keys = new ArrayList<>();
      List<NetworkParams.Allocation> alloc = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        SigningKey k = SigningKey.fromSeed(Hash.sha256(("bench " + i).getBytes()).bytes());
        keys.add(k);
        alloc.add(new NetworkParams.Allocation(k.address(), 1_000_000_000_000L));
      }
      alloc.sort(java.util.Comparator.comparing(a -> a.address().hex()));
      params =
          new NetworkParams(
              "bench",
              99,
              0,
              0x207fffff,
              0x207fffff,
              1000,
              100_000,
              1000,
              50,
              0,
              1,
              alloc,
              BigInteger.ZERO);
      genesis = InMemoryAccounts.genesis(params);
      long[] nonces = new long[senders];
      Address sink = SigningKey.fromSeed(new byte[32]).address();
      for (int b = 0; b < count; b++) {
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          int s = (b * 1000 + i) % senders;
          Transaction t = Transaction.signed(keys.get(s), 99, sink, 1000, 10, nonces[s]++);
          txs.add(t);
          verifyInputs.add(new byte[][] {t.senderKey(), t.signingMessage(), t.signature()});
        }
        Block tmp =
            new Block(new BlockHeader(1, b + 1, Hash.ZERO, Hash.ZERO, sink, b, 0x207fffff, 0), txs);
        blocks.add(
            new Block(
                new BlockHeader(
                    1, b + 1, Hash.ZERO, tmp.computeMerkleRoot(), sink, b, 0x207fffff, 0),
                txs));
      }
    }
  }

  static double verifyRate(Fixture f, double seconds) {
    long n = 0;
    long start = cpu();
    long budget = (long) (seconds * 1e9);
    int ok = 0;
    while (cpu() - start < budget) {
      for (byte[][] v : f.verifyInputs) {
        ok += Keys.verify(v[0], v[1], v[2]) ? 1 : 0;
      }
      n += f.verifyInputs.size();
    }
    if (ok != n) {
      throw new IllegalStateException("a signature did not verify");
    }
    return n / ((cpu() - start) / 1e9);
  }

  /** [transactions/s, blocks/s]: body rules then apply, block after block, from genesis. */
  static double[] applyRate(Fixture f, double seconds) {
    long txs = 0;
    long blocks = 0;
    long start = cpu();
    long budget = (long) (seconds * 1e9);
    while (cpu() - start < budget) {
      InMemoryAccounts state = f.genesis;
      for (Block b : f.blocks) {
        if (!BlockValidator.validateBody(b).accepted()) {
          throw new IllegalStateException("bench block invalid");
        }
        ApplyResult r = StateTransition.applyBlock(b, state, f.params);
        if (!(r instanceof ApplyResult.Applied a)) {
          throw new IllegalStateException("bench block rejected: " + r);
        }
        state = state.apply(a.delta());
        txs += b.transactions().size();
        blocks++;
      }
    }
    double s = (cpu() - start) / 1e9;
    return new double[] {txs / s, blocks / s};
  }
}
