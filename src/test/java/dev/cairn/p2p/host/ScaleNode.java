package dev.cairn.p2p.host;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not a test: the child process of {@link ScaleIT}. One listening host and {@code connections}
 * client connections to it from {@code clientHosts} client hosts, all in this JVM; each connection
 * carries one open {@value #HOLD} stream, and every stream answers an echo while all of them are
 * open. Prints one JSON line with the platform thread count and the heap used after GC, and exits 0
 * on success, 1 if a connection or stream failed.
 *
 * <p>Usage: {@code ScaleNode [connections=1000] [clientHosts=10]}.
 */
public final class ScaleNode {
  static final String HOLD = "/cairn/test/hold/1.0.0";

  /** Dials in flight at once: keeps the listener's accept backlog and handshake deadlines easy. */
  private static final int CONCURRENT_DIALS = 32;

  private ScaleNode() {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int clientHosts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int perClient = (connections + clientHosts - 1) / clientHosts;
    // Several connections to one peer: per-peer caps above what each client host opens.
    ConnectionLimits limits =
        new ConnectionLimits(connections + 64, connections + 64, perClient + 8, 1000);
    AtomicInteger serving = new AtomicInteger();
    long start = System.nanoTime();
    List<Libp2p> hosts = new ArrayList<>();
    List<Stream> streams = new ArrayList<>();
    int failures = 0;
    try {
      Libp2p server = newHost(limits, true);
      hosts.add(server);
      server
          .host()
          .setHandler(
              HOLD,
              s -> {
                serving.incrementAndGet();
                try {
                  echoUntilEof(s);
                } finally {
                  serving.decrementAndGet();
                }
              });
      Multiaddr target = server.host().fullAddress().orElseThrow();
      List<Libp2p> clients = new ArrayList<>();
      for (int i = 0; i < clientHosts; i++) {
        Libp2p c = newHost(limits, false);
        clients.add(c);
        hosts.add(c);
      }

      // Dial without the /p2p/ suffix so that every dial opens a new connection to the server.
      Multiaddr fresh = target.withoutPeerId();
      Semaphore inFlight = new Semaphore(CONCURRENT_DIALS);
      List<Future<Stream>> opened = new ArrayList<>();
      try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < connections; i++) {
          Libp2p client = clients.get(i % clientHosts);
          opened.add(
              exec.submit(
                  () -> {
                    inFlight.acquire();
                    try {
                      Connection c = client.host().dial(fresh);
                      return c.newStream(List.of(HOLD));
                    } finally {
                      inFlight.release();
                    }
                  }));
        }
        for (Future<Stream> f : opened) {
          try {
            streams.add(f.get(60, TimeUnit.SECONDS));
          } catch (Exception e) {
            failures++;
            if (failures <= 5) {
              System.err.println("connection failed: " + e);
            }
          }
        }
      }
      long upMillis = (System.nanoTime() - start) / 1_000_000;

      // Every stream answers while all of them are open.
      int answered = 0;
      byte[] one = new byte[1];
      for (int i = 0; i < streams.size(); i++) {
        Stream s = streams.get(i);
        try {
          s.out().write(i & 0xff);
          s.out().flush();
          InputStream in = s.in();
          if (in.read(one) == 1 && (one[0] & 0xff) == (i & 0xff)) {
            answered++;
          }
        } catch (IOException e) {
          failures++;
        }
      }

      int serverConnections = server.host().connections().size();
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      int platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
      System.out.printf(
          Locale.ROOT,
          "{\"connections\":%d,\"streams\":%d,\"answered\":%d,\"serverConnections\":%d,"
              + "\"serving\":%d,\"failures\":%d,\"platformThreads\":%d,\"heapUsedAfterGcMiB\":%.1f,"
              + "\"heapMaxMiB\":%.1f,\"upMillis\":%d}%n",
          connections,
          streams.size(),
          answered,
          serverConnections,
          serving.get(),
          failures,
          platformThreads,
          heap.getUsed() / 1048576.0,
          heap.getMax() / 1048576.0,
          upMillis);
      System.out.flush();
      if (Boolean.getBoolean("cairn.scale.histogram")) {
        printHistogram();
      }
      boolean ok =
          failures == 0
              && answered == connections
              && serverConnections == connections
              && serving.get() == connections;
      for (Stream s : streams) {
        s.close();
      }
      hosts.forEach(Libp2p::close);
      hosts.clear();
      System.exit(ok ? 0 : 1);
    } finally {
      hosts.forEach(Libp2p::close);
    }
  }

  private static Libp2p newHost(ConnectionLimits limits, boolean listen) throws IOException {
    List<Multiaddr> addrs = listen ? List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")) : List.of();
    // No byte budgets: this measures what 1,000 open streams cost when nothing refuses them (the
    // default budgets would hold them to 96 MiB of windows, 384 streams, and each client host's
    // hundred streams to one peer's 16 MiB).
    return Libp2p.create(
        HostConfig.defaults(Ed25519PrivateKey.generate(), addrs)
            .withLimits(limits)
            .withResources(ResourceLimits.unlimited()));
  }

  /** The top of the heap's class histogram, on stderr: what the connections cost. */
  private static void printHistogram() throws Exception {
    Object text =
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {null},
                new String[] {String[].class.getName()});
    text.toString().lines().limit(30).forEach(System.err::println);
  }

  /** Echoes byte by byte until the remote closes its side. */
  private static void echoUntilEof(Stream s) throws IOException {
    InputStream in = s.in();
    OutputStream out = s.out();
    byte[] buf = new byte[64];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      out.flush();
    }
    s.closeWrite();
  }
}
