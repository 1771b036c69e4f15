package dev.cairn.bench;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gossipsub publish-to-last-delivery latency across N hosts on 127.0.0.1 (real TCP, Noise, yamux).
 * Each host dials {@code --degree} others at random; all subscribe to one topic; once every mesh is
 * within D_lo..D_hi, messages are published one at a time (publisher rotating) and the time from
 * {@code publish()} to the moment the last of the other N-1 hosts' handlers received it is taken.
 *
 * <p>Run with {@code bin/bench gossip [--nodes 20] [--messages 200] [--degree 4] [--policy
 * sign|nosign] [--sizes 1024,524288]}.
 */
public final class GossipBenchmark {
  static final String TOPIC = "/cairn/bench/gossip";

  public static void main(String[] args) throws Exception {
    int nodes = 20;
    int messages = 200;
    int degree = 4;
    String policy = "sign";
    int[] sizes = {1024, 512 * 1024};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        case "--degree" -> degree = Integer.parseInt(args[++i]);
        case "--policy" -> policy = args[++i];
        case "--sizes" ->
            sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    GossipConfig config = policy.equals("sign") ? GossipConfig.defaults() : GossipConfig.cairn();
    List<Libp2p> hosts = new ArrayList<>();
    List<GossipRouter> routers = new ArrayList<>();
    ConcurrentHashMap<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
    ConcurrentHashMap<Long, AtomicLong> last = new ConcurrentHashMap<>();
    try {
      for (int i = 0; i < nodes; i++) {
        Libp2p h =
            Libp2p.create(
                HostConfig.defaults(
                    Ed25519PrivateKey.generate(),
                    List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
        hosts.add(h);
        GossipRouter r = GossipRouter.start(h.host(), config);
        routers.add(r);
        r.subscribe(
            TOPIC,
            m -> {
              long key = ByteBuffer.wrap(m.data()).getLong();
              long now = System.nanoTime();
              last.computeIfAbsent(key, k -> new AtomicLong()).accumulateAndGet(now, Math::max);
              counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            });
      }
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (GossipRouter r : routers) {
        while (r.meshPeers(TOPIC).size() < config.dLo() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d nodes, degree %d, policy %s, cores %d%n",
          nodes,
          degree,
          policy,
          Runtime.getRuntime().availableProcessors());
      long seq = 0;
      for (int size : sizes) {
        int warmup = Math.max(10, messages / 10);
        long[] lat = new long[messages];
        for (int k = 0; k < warmup + messages; k++) {
          long key = ++seq;
          byte[] data = new byte[size];
          new Random(key).nextBytes(data);
          ByteBuffer.wrap(data).putLong(key);
          GossipRouter pub = routers.get((int) (key % nodes));
          long t0 = System.nanoTime();
          pub.publish(TOPIC, data).get(10, TimeUnit.SECONDS);
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (counts.getOrDefault(key, new AtomicInteger()).get() < nodes - 1) {
            if (System.nanoTime() > until) {
              throw new IllegalStateException("message " + key + " did not reach every node");
            }
            Thread.onSpinWait();
            Thread.yield();
          }
          if (k >= warmup) {
            lat[k - warmup] = last.get(key).get() - t0;
          }
        }
        Arrays.sort(lat);
        System.out.printf(
            Locale.ROOT,
            "size %7d B: publish-to-last-delivery median %.2f ms, p99 %.2f ms, max %.2f ms (%d"
                + " messages)%n",
            size,
            lat[lat.length / 2] / 1e6,
            lat[(int) Math.ceil(lat.length * 0.99) - 1] / 1e6,
            lat[lat.length - 1] / 1e6,
            messages);
      }
    } finally {
      routers.forEach(GossipRouter::close);
      hosts.forEach(Libp2p::close);
    }
  }
}
