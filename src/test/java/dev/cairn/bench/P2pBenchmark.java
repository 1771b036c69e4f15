package dev.cairn.bench;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionLimits;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.ResourceLimits;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.perf.PerfService;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: the end-to-end performance figures of the libp2p stack on 127.0.0.1, in one run.
 *
 * <ol>
 *   <li>raw TCP between two Java sockets (64 KiB writes), the ceiling;
 *   <li>one {@code /perf/1.0.0} stream between two hosts (TCP + Noise + yamux), upload and download
 *       measured separately, and their ratio to raw TCP;
 *   <li>connection setups per second: dial, multistream, Noise XX, yamux, an identify round trip on
 *       the new connection, then close; sequential and with several concurrent dialers.
 * </ol>
 *
 * Each figure is the median of {@code --runs} runs after a short warm-up. Run with {@code bin/bench
 * p2p} (see {@code docs/BENCHMARKS.md}); options: {@code --mib N} (bytes per throughput run,
 * default 1024), {@code --runs N} (3), {@code --dials N} (200), {@code --dialers N} (8).
 */
public final class P2pBenchmark {
  private static final int BLOCK = 64 * 1024;
  private static final double MB = 1_000_000.0;

  private P2pBenchmark() {}

  /** Parsed command line. */
  record Options(long bytes, int runs, int dials, int dialers, Set<String> only) {
    static Options parse(String[] args) {
      Set<String> only = Set.of("raw", "perf", "setups");
      long mib = 1024;
      int runs = 3;
      int dials = 200;
      int dialers = 8;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--mib" -> mib = Long.parseLong(value);
          case "--runs" -> runs = Integer.parseInt(value);
          case "--dials" -> dials = Integer.parseInt(value);
          case "--dialers" -> dialers = Integer.parseInt(value);
          case "--only" -> only = Set.of(value.split(","));
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return new Options(mib << 20, runs, dials, dialers, only);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    System.out.printf(
        Locale.ROOT,
        "cairn p2p benchmark: java %s, %d cpus, %d MiB per throughput run, %d runs (median)%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        o.bytes() >> 20,
        o.runs());

    double[] raw = new double[o.runs()];
    double[] rawCpu = new double[o.runs()];
    if (o.only().contains("raw")) {
      rawTcp(64L << 20); // warm-up
      for (int i = 0; i < o.runs(); i++) {
        long cpu = processCpuNanos();
        raw[i] = rawTcp(o.bytes());
        rawCpu[i] = (processCpuNanos() - cpu) / (double) o.bytes();
      }
    }

    double[] up = new double[o.runs()];
    double[] down = new double[o.runs()];
    double[] upCpu = new double[o.runs()];
    double[] downCpu = new double[o.runs()];
    if (o.only().contains("perf")) {
      perf(o, up, down, upCpu, downCpu);
    }

    double[] sequential = new double[o.runs()];
    double[] concurrent = new double[o.runs()];
    if (o.only().contains("setups")) {
      try (Libp2p server = newHost(true)) {
        setups(server, 20, 1); // warm-up
        for (int i = 0; i < o.runs(); i++) {
          sequential[i] = setups(server, o.dials(), 1);
          concurrent[i] = setups(server, o.dials(), o.dialers());
        }
      }
    }
    table(o, raw, up, down, sequential, concurrent);
    System.out.println();
    System.out.println(
        "CPU time of the whole process per byte moved (ns/B; less is better, less noisy");
    System.out.println(
        "than MB/s on a shared machine since it does not count time spent waiting):");
    row("raw TCP (ns/B)", rawCpu, "%.2f");
    row("perf upload (ns/B)", upCpu, "%.2f");
    row("perf download (ns/B)", downCpu, "%.2f");
  }

  /** CPU time used so far by all threads of this JVM (including JIT and GC). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One perf stream between two hosts: upload-only and download-only runs, in MB/s. */
  static void perf(Options o, double[] up, double[] down, double[] upCpu, double[] downCpu)
      throws Exception {
    try (Libp2p server = newHost(true);
        Libp2p client = newHost(false)) {
      client.host().dial(server.host().fullAddress().orElseThrow());
      var peer = server.host().peerId();
      // Warm-up long enough for C2 to compile the whole path: with only 64 MiB the JIT still took
      // about a tenth of the CPU counted in the measured runs (perf record, 2026-12-07).
      for (int i = 0; i < 4; i++) {
        client.perf().run(peer, 64L << 20, 64L << 20);
      }
      for (int i = 0; i < o.runs(); i++) {
        long cpu = processCpuNanos();
        up[i] = o.bytes() / seconds(client.perf().run(peer, o.bytes(), 0).total().toNanos()) / MB;
        long mid = processCpuNanos();
        down[i] = o.bytes() / seconds(client.perf().run(peer, 0, o.bytes()).total().toNanos()) / MB;
        upCpu[i] = (mid - cpu) / (double) o.bytes();
        downCpu[i] = (processCpuNanos() - mid) / (double) o.bytes();
      }
    }
  }

  private static void table(
      Options o,
      double[] raw,
      double[] up,
      double[] down,
      double[] sequential,
      double[] concurrent) {
    double rawMedian = median(raw);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-46s %12s   %s%n", "measurement", "median", "runs");
    row("raw TCP, 64 KiB writes (MB/s)", raw);
    row("perf upload, 1 stream (MB/s)", up);
    row("perf download, 1 stream (MB/s)", down);
    System.out.printf(
        Locale.ROOT,
        "%-46s %11.0f%%   upload %.0f%%, download %.0f%% (goal >= 50%%; js-libp2p ~17%%)%n",
        "perf / raw TCP",
        100 * Math.min(median(up), median(down)) / rawMedian,
        100 * median(up) / rawMedian,
        100 * median(down) / rawMedian);
    row("setups/s, sequential (" + o.dials() + " dials)", sequential);
    row("setups/s, " + o.dialers() + " concurrent dialers", concurrent);
  }

  private static void row(String name, double[] values) {
    row(name, values, "%.0f");
  }

  private static void row(String name, double[] values, String format) {
    StringBuilder runs = new StringBuilder();
    for (double v : values) {
      runs.append(String.format(Locale.ROOT, format + " ", v));
    }
    System.out.printf(
        Locale.ROOT,
        "%-46s %12s   %s%n",
        name,
        String.format(Locale.ROOT, format, median(values)),
        runs.toString());
  }

  // ---- raw TCP ----

  /** MB/s of one loopback socket pair, the receiver counting every byte. */
  static double rawTcp(long bytes) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Long> received =
          exec.submit(
              () -> {
                try (Socket s = server.accept()) {
                  return PerfService.drain(s.getInputStream());
                }
              });
      long start = System.nanoTime();
      try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        byte[] block = new byte[BLOCK];
        for (long left = bytes; left > 0; left -= BLOCK) {
          out.write(block, 0, (int) Math.min(BLOCK, left));
        }
      }
      long got = received.get(5, TimeUnit.MINUTES);
      long end = System.nanoTime();
      if (got != bytes) {
        throw new IllegalStateException("raw TCP received " + got + " of " + bytes);
      }
      return bytes / seconds(end - start) / MB;
    }
  }

  // ---- hosts ----

  /** Limits high enough that hundreds of dials to one peer in a row never hit a cap. */
  static final ConnectionLimits BENCH_LIMITS = new ConnectionLimits(4096, 4096, 4096, 1000);

  /**
   * Hosts without byte budgets: one perf stream's window grows towards the 16 MiB per-peer budget,
   * and the server releases it only after writing its FIN, so the next run's stream, opened as soon
   * as that FIN arrives, was refused now and then. The benchmark measures the stream path, not the
   * budgets.
   */
  static Libp2p newHost(boolean listen) throws IOException {
    List<Multiaddr> addrs = listen ? List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")) : List.of();
    return Libp2p.create(
        HostConfig.defaults(Ed25519PrivateKey.generate(), addrs)
            .withLimits(BENCH_LIMITS)
            .withResources(ResourceLimits.unlimited()));
  }

  /**
   * Connection setups per second: {@code dialers} client hosts (created before the clock starts)
   * share {@code dials} dials to {@code server}; each dial is upgraded, identifies the server over
   * the new connection and closes it.
   */
  static double setups(Libp2p server, int dials, int dialers) throws Exception {
    Multiaddr target = server.host().fullAddress().orElseThrow();
    List<Libp2p> clients = new ArrayList<>();
    try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < dialers; i++) {
        clients.add(newHost(false));
      }
      long start = System.nanoTime();
      List<Future<Integer>> done = new ArrayList<>();
      for (int i = 0; i < dialers; i++) {
        Libp2p client = clients.get(i);
        int share = dials / dialers + (i < dials % dialers ? 1 : 0);
        done.add(
            exec.submit(
                () -> {
                  for (int d = 0; d < share; d++) {
                    Connection c = client.host().dial(target);
                    client.identify().identify(c);
                    c.close();
                  }
                  return share;
                }));
      }
      int total = 0;
      for (Future<Integer> f : done) {
        total += f.get(5, TimeUnit.MINUTES);
      }
      return total / seconds(System.nanoTime() - start);
    } finally {
      clients.forEach(Libp2p::close);
    }
  }

  // ---- helpers ----

  static double seconds(long nanos) {
    return Math.max(1e-9, nanos / 1e9);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
