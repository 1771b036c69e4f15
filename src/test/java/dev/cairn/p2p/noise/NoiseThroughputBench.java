package dev.cairn.p2p.noise;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.transport.Duplex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: a JMH-free throughput check of the Noise transport over a loopback TCP pair. Prints
 * MB/s for 256 MiB (warm-up run first). Run with {@code java -cp
 * target/classes:target/test-classes: <deps> dev.cairn.p2p.noise.NoiseThroughputBench [MiB]}.
 */
public final class NoiseThroughputBench {
  private NoiseThroughputBench() {}

  record SocketDuplex(Socket socket, InputStream in, OutputStream out) implements Duplex {
    static SocketDuplex of(Socket s) throws IOException {
      s.setTcpNoDelay(true);
      return new SocketDuplex(
          s, s.getInputStream(), new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 17));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    run(64, "warm-up");
    run(mib, "measured");
    cipherOnly(mib);
  }

  static void run(int mib, String label) throws Exception {
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Socket> accepted = executor.submit(server::accept);
      SocketDuplex client =
          SocketDuplex.of(new Socket(server.getInetAddress(), server.getLocalPort()));
      SocketDuplex listener = SocketDuplex.of(accepted.get());
      Duration timeout = Duration.ofSeconds(10);
      Future<NoiseSession> r =
          executor.submit(
              () ->
                  NoiseHandshake.respond(
                      listener, Ed25519PrivateKey.generate(), List.of(), timeout));
      NoiseSession i =
          NoiseHandshake.initiate(client, Ed25519PrivateKey.generate(), null, List.of(), timeout);
      NoiseSession responder = r.get();
      long total = (long) mib << 20;
      byte[] chunk = new byte[1 << 20];
      long start = System.nanoTime();
      Future<Long> reader =
          executor.submit(
              () -> {
                byte[] buf = new byte[1 << 16];
                long got = 0;
                while (got < total) {
                  int n = responder.in().read(buf);
                  if (n < 0) {
                    break;
                  }
                  got += n;
                }
                return got;
              });
      for (long sent = 0; sent < total; sent += chunk.length) {
        i.out().write(chunk);
      }
      i.out().flush();
      long got = reader.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "%s: %d MiB through Noise over loopback TCP in %.2f s = %.0f MB/s (%d bytes read)%n",
          label, mib, seconds, total / 1e6 / seconds, got);
      i.close();
      responder.close();
    }
  }

  /** Encrypt + decrypt of maximal frames in one thread, no I/O. */
  static void cipherOnly(int mib) throws Exception {
    byte[] key = new byte[32];
    CipherState enc = new CipherState(key);
    CipherState dec = new CipherState(key);
    byte[] plain = new byte[NoiseCodec.MAX_PLAINTEXT];
    byte[] wire = new byte[NoiseCodec.MAX_MESSAGE];
    byte[] out = new byte[NoiseCodec.MAX_PLAINTEXT];
    long total = (long) mib << 20;
    for (int round = 0; round < 2; round++) {
      long start = System.nanoTime();
      for (long done = 0; done < total; done += plain.length) {
        int n = enc.encrypt(new byte[0], plain, 0, plain.length, wire, 0);
        dec.decrypt(new byte[0], wire, 0, n, out, 0);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "cipher only (%s): encrypt+decrypt %d MiB in %.2f s = %.0f MB/s%n",
          round == 0 ? "warm-up" : "measured", mib, seconds, total / 1e6 / seconds);
    }
  }
}
