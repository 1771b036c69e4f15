package dev.cairn.p2p.perf;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * libp2p perf ({@code /perf/1.0.0}, libp2p/specs perf/perf.md): the client sends the number of
 * bytes it wants back as a big-endian u64, uploads its bytes and closes its side; the server drains
 * the upload and then sends the requested bytes. Lets any libp2p implementation measure our
 * throughput, and us theirs.
 */
public final class PerfService {
  public static final String PROTOCOL_ID = "/perf/1.0.0";

  /** The most a client may ask us to send on one stream. */
  public static final long MAX_DOWNLOAD = 64L * 1024 * 1024 * 1024;

  static final int BLOCK = 64 * 1024;

  /** One run's figures. */
  public record Result(long uploaded, long downloaded, Duration uploadTime, Duration total) {
    public double uploadBytesPerSecond() {
      return uploaded / seconds(uploadTime);
    }

    public double downloadBytesPerSecond() {
      return downloaded / seconds(total.minus(uploadTime));
    }

    private static double seconds(Duration d) {
      return Math.max(1e-9, d.toNanos() / 1e9);
    }
  }

  private final Host host;

  private PerfService(Host host) {
    this.host = host;
  }

  /**
   * A perf client on {@code host} that does not serve: a server sends up to {@link #MAX_DOWNLOAD}
   * bytes to whoever asks, so serving is a choice ({@code cairn node --enable-perf}).
   */
  public static PerfService clientOnly(Host host) {
    return new PerfService(host);
  }

  /** Registers the perf server on {@code host}. */
  public static PerfService install(Host host) {
    PerfService s = new PerfService(host);
    host.setHandler(PROTOCOL_ID, PerfService::serve);
    return s;
  }

  /** Uploads {@code upload} bytes to {@code peer} and downloads {@code download} bytes back. */
  public Result run(PeerId peer, long upload, long download) throws IOException, ProtocolException {
    try (Stream stream = host.newStream(peer, PROTOCOL_ID)) {
      return run(stream, upload, download);
    }
  }

  /**
   * As {@link #run(PeerId, long, long)} on a {@code /perf/1.0.0} stream already open (a caller that
   * opens many streams before any transfer starts); the caller closes it.
   */
  public static Result run(Stream stream, long upload, long download)
      throws IOException, ProtocolException {
    long start = System.nanoTime();
    {
      OutputStream out = stream.out();
      out.write(ByteBuffer.allocate(8).putLong(download).array());
      send(out, upload);
      stream.closeWrite();
      long uploaded = System.nanoTime();
      long got = drain(stream.in());
      long end = System.nanoTime();
      if (got != download) {
        throw ProtocolException.stream(
            Reason.TRUNCATED, "perf server sent " + got + " bytes, " + download + " asked");
      }
      return new Result(
          upload, got, Duration.ofNanos(uploaded - start), Duration.ofNanos(end - start));
    }
  }

  private static void serve(Stream stream) throws IOException, ProtocolException {
    long download;
    try {
      download = new DataInputStream(stream.in()).readLong();
    } catch (EOFException e) {
      throw ProtocolException.stream(Reason.TRUNCATED, "perf request shorter than 8 bytes");
    }
    if (download < 0 || download > MAX_DOWNLOAD) {
      throw ProtocolException.stream(Reason.TOO_LARGE, "perf request for " + download + " bytes");
    }
    drain(stream.in());
    send(stream.out(), download);
    stream.closeWrite();
  }

  private static void send(OutputStream out, long bytes) throws IOException {
    byte[] block = new byte[BLOCK];
    while (bytes > 0) {
      int n = (int) Math.min(block.length, bytes);
      out.write(block, 0, n);
      bytes -= n;
    }
    out.flush();
  }

  /**
   * Reads {@code in} to its end in {@value #BLOCK}-byte reads and returns the byte count: the perf
   * server's receiving side, public so that a raw-socket baseline receives the same way.
   */
  public static long drain(InputStream in) throws IOException {
    byte[] block = new byte[BLOCK];
    long total = 0;
    int n;
    while ((n = in.read(block)) >= 0) {
      total += n;
    }
    return total;
  }
}
