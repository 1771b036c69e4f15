package dev.cairn.p2p.ping;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Deadline;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ping ({@code /ipfs/ping/1.0.0}): the dialer writes 32 random bytes, the listener echoes them; an
 * RTT per round. Stateless; each stream runs on its own virtual thread.
 */
public final class PingService {
  public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";
  static final int SIZE = 32;

  /**
   * How long the echo side waits for the next ping on a stream before it resets it (go-libp2p's
   * ping handler waits as long): a peer cannot hold ping streams open by sending nothing.
   */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final Host host;
  private final Duration idleTimeout;
  private final SecureRandom random = new SecureRandom();

  private PingService(Host host, Duration idleTimeout) {
    this.host = host;
    this.idleTimeout = idleTimeout;
  }

  /** Registers the echo handler on {@code host}. */
  public static PingService install(Host host) {
    return install(host, IDLE_TIMEOUT);
  }

  /** As {@link #install(Host)}, resetting a stream idle for {@code idleTimeout} (tests). */
  static PingService install(Host host, Duration idleTimeout) {
    PingService s = new PingService(host, idleTimeout);
    host.setHandler(PROTOCOL_ID, s::echo);
    return s;
  }

  /** One ping round trip to {@code peer}. */
  public Duration ping(PeerId peer) throws IOException, ProtocolException {
    return ping(peer, 1).getFirst();
  }

  /** {@code count} round trips on one stream. */
  public List<Duration> ping(PeerId peer, int count) throws IOException, ProtocolException {
    List<Duration> rtts = new ArrayList<>(count);
    try (Stream stream = host.newStream(peer, PROTOCOL_ID)) {
      byte[] payload = new byte[SIZE];
      for (int i = 0; i < count; i++) {
        random.nextBytes(payload);
        long start = System.nanoTime();
        stream.out().write(payload);
        stream.out().flush();
        byte[] echo = stream.in().readNBytes(SIZE);
        long rtt = System.nanoTime() - start;
        if (echo.length < SIZE) {
          throw ProtocolException.stream(Reason.TRUNCATED, "ping stream closed before the echo");
        }
        if (!Arrays.equals(echo, payload)) {
          throw ProtocolException.stream(Reason.MALFORMED, "ping echo differs from what we sent");
        }
        rtts.add(Duration.ofNanos(rtt));
      }
      stream.closeWrite();
    }
    return rtts;
  }

  private void echo(Stream stream) throws IOException {
    InputStream in = stream.in();
    OutputStream out = stream.out();
    byte[] buf = new byte[SIZE];
    while (true) {
      int n;
      try (Deadline deadline = host.readDeadline(stream, idleTimeout)) {
        n = in.readNBytes(buf, 0, SIZE);
      }
      if (n < SIZE) {
        break; // the dialer closed its side (a partial payload is not echoed)
      }
      out.write(buf);
      out.flush();
    }
    stream.closeWrite();
  }
}
