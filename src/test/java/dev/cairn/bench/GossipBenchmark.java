package dev.cairn.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gossipsub publish-to-last-delivery latency across N hosts on 127.0.0.1 (real TCP, Noise, yamux).
 * Each host dials {@code --degree} others at random; all subscribe to one topic; once every mesh is
 * within D_lo..D_hi, messages are published one at a time (publisher rotating) and the time from
 * {@code publish()} to the moment the last of the other N-1 hosts' handlers received it is taken.
 * The publisher waits for that moment on a latch (it does not spin on a core the nodes need), and
 * the process CPU time of the measured messages is divided by the bytes delivered (size × N-1).
 * {@code --compact-txs N} adds {@link CompactRelayBenchmark}: blocks of N transactions gossiped
 * first, relayed compact. Unmeasured messages come first until the JVM is warm ({@link Warmup}: 10
 * s); {@code --hops} prints where the time of each message went, hop by hop.
 *
 * <p>Run with {@code bin/bench gossip [--nodes 20] [--messages 200] [--degree 4] [--policy
 * sign|nosign] [--sizes 1024,524288] [--compact-txs 3000 --blocks 20 --missing 0 --gossip-txs]
 * [--warmup N | --warmup-seconds 10] [--hops]}.
 */
public final class GossipBenchmark {
  static final String TOPIC = "/cairn/bench/gossip";

  static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** The deliveries of one message: the latch the publisher waits on, the last arrival. */
  record Delivery(CountDownLatch latch, AtomicLong last, long[] at, int[] from) {
    Delivery(int receivers) {
      this(
          new CountDownLatch(receivers),
          new AtomicLong(),
          new long[receivers + 1],
          new int[receivers + 1]);
    }

    void arrived() {
      arrived(-1, -1);
    }

    /** With --hops: node {@code node} got it from node {@code sender}. */
    void arrived(int node, int sender) {
      long now = System.nanoTime();
      if (node >= 0) {
        at[node] = now;
        from[node] = sender;
      }
      last.accumulateAndGet(now, Math::max);
      latch.countDown();
    }

    /** Waits (on the latch, no spinning) until every receiver has it; false after 10 s. */
    boolean await() throws InterruptedException {
      return latch.await(10, TimeUnit.SECONDS);
    }
  }

  /** Prints one line of figures: latencies in ns (sorted here) and CPU ns per delivered byte. */
  static void report(String what, long[] lat, double cpuPerByte) {
    Arrays.sort(lat);
    System.out.printf(
        Locale.ROOT,
        "%s: publish-to-last-delivery median %.2f ms, p99 %.2f ms, max %.2f ms (%d messages),"
            + " CPU %.2f ns per delivered byte%n",
        what,
        lat[lat.length / 2] / 1e6,
        lat[(int) Math.ceil(lat.length * 0.99) - 1] / 1e6,
        lat[lat.length - 1] / 1e6,
        lat.length,
        cpuPerByte);
  }

  public static void main(String[] args) throws Exception {
    int nodes = 20;
    int messages = 200;
    int degree = 4;
    String policy = "sign";
    int[] sizes = {1024, 512 * 1024};
    int compactTxs = 0;
    int blocks = 20;
    int missing = 0;
    boolean gossipTxs = false;
    boolean hops = false;
    int warmupCount = -1;
    double warmupSeconds = Warmup.DEFAULT_SECONDS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        case "--degree" -> degree = Integer.parseInt(args[++i]);
        case "--policy" -> policy = args[++i];
        case "--compact-txs" -> compactTxs = Integer.parseInt(args[++i]);
        case "--blocks" -> blocks = Integer.parseInt(args[++i]);
        case "--missing" -> missing = Integer.parseInt(args[++i]);
        case "--gossip-txs" -> gossipTxs = true;
        case "--hops" -> hops = true;
        case "--warmup" -> warmupCount = Integer.parseInt(args[++i]);
        case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[++i]);
        case "--sizes" ->
            sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Warmup warmup = new Warmup(warmupCount, warmupSeconds);
    GossipConfig config = policy.equals("sign") ? GossipConfig.defaults() : GossipConfig.cairn();
    if (sizes.length > 0 && sizes[0] > 0) {
      messages(nodes, messages, warmup, degree, policy, sizes, config, hops);
    }
    if (compactTxs > 0) {
      CompactRelayBenchmark.run(nodes, degree, compactTxs, blocks, missing, gossipTxs, warmup);
    }
  }

  /** Dials {@code degree} random others from each host (seeded). */
  static void connect(List<Libp2p> hosts, int degree) throws Exception {
    int nodes = hosts.size();
    Random random = new Random(1);
    for (int i = 0; i < nodes; i++) {
      Set<Integer> picked = new HashSet<>();
      while (picked.size() < Math.min(degree, nodes - 1)) {
        picked.add((i + 1 + random.nextInt(nodes - 1)) % nodes);
      }
      for (int j : picked) {
        hosts.get(i).host().dial(hosts.get(j).host().fullAddress().orElseThrow());
      }
    }
  }

  /** Waits (setup only) until every router has at least D_lo mesh peers in {@code topic}. */
  static void awaitMeshes(List<GossipRouter> routers, String topic, int dLo) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (GossipRouter r : routers) {
      while (r.meshPeers(topic).size() < dLo && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
  }

  private static void messages(
      int nodes,
      int messages,
      Warmup warmup,
      int degree,
      String policy,
      int[] sizes,
      GossipConfig config,
      boolean hops)
      throws Exception {
    Map<PeerId, Integer> index = new ConcurrentHashMap<>();
    long[] started = new long[nodes];
    List<Libp2p> hosts = new ArrayList<>();
    List<GossipRouter> routers = new ArrayList<>();
    ConcurrentHashMap<Long, Delivery> deliveries = new ConcurrentHashMap<>();
    try {
      for (int i = 0; i < nodes; i++) {
        Libp2p h =
            Libp2p.create(
                HostConfig.defaults(
                    Ed25519PrivateKey.generate(),
                    List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
        hosts.add(h);
        index.put(h.host().peerId(), i);
        int node = i;
        started[i] = System.nanoTime();
        GossipRouter r = GossipRouter.start(h.host(), config);
        routers.add(r);
        r.subscribe(
            TOPIC,
            m -> {
              Delivery d = deliveries.get(ByteBuffer.wrap(m.data()).getLong());
              if (d != null) {
                if (hops) {
                  d.arrived(node, index.getOrDefault(m.receivedFrom(), -1));
                } else {
                  d.arrived();
                }
              }
            });
      }
      connect(hosts, degree);
      awaitMeshes(routers, TOPIC, config.dLo());
      System.out.printf(
          Locale.ROOT,
          "%d nodes, degree %d, policy %s, cores %d%n",
          nodes,
          degree,
          policy,
          Runtime.getRuntime().availableProcessors());
      long seq = 0;
      for (int size : sizes) {
        long[] lat = new long[messages];
        long cpu = 0;
        long allocated = 0;
        HopTrace trace = hops ? new HopTrace(nodes, started) : null;
        int minWarmup = Math.max(10, messages / 10);
        long warmStart = System.nanoTime();
        int warmed = 0;
        for (int k = 0; k < messages; ) {
          boolean measured = warmup.done(warmed, minWarmup, warmStart); // stays true once true
          long key = ++seq;
          byte[] data = new byte[size];
          new Random(key).nextBytes(data);
          ByteBuffer.wrap(data).putLong(key);
          int pubIndex = (int) (key % nodes);
          GossipRouter pub = routers.get(pubIndex);
          Delivery d = new Delivery(nodes - 1);
          deliveries.put(key, d);
          long cpu0 = OS.getProcessCpuTime();
          long heap0 = THREADS.getTotalThreadAllocatedBytes();
          long t0 = System.nanoTime();
          pub.publish(TOPIC, data).get(10, TimeUnit.SECONDS);
          if (!d.await()) {
            throw new IllegalStateException("message " + key + " did not reach every node");
          }
          if (measured) {
            lat[k] = d.last().get() - t0;
            cpu += OS.getProcessCpuTime() - cpu0;
            allocated += THREADS.getTotalThreadAllocatedBytes() - heap0;
            if (trace != null) {
              trace.add(key, pubIndex, t0, d);
            }
            k++;
          } else {
            warmed++;
          }
          deliveries.remove(key);
        }
        System.out.printf(
            Locale.ROOT,
            "size %7d B: %d warm-up messages first; heap allocated %.0f KiB per measured message%n",
            size,
            warmed,
            allocated / 1024.0 / messages);
        report(
            String.format(Locale.ROOT, "size %7d B", size),
            lat,
            cpu / ((double) size * (nodes - 1) * messages));
        if (trace != null) {
          trace.print();
        }
      }
    } finally {
      routers.forEach(GossipRouter::close);
      hosts.forEach(Libp2p::close);
    }
  }
}
