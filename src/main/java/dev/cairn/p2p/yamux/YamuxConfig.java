package dev.cairn.p2p.yamux;

import dev.cairn.owner.Copyable;
import java.time.Duration;

/**
 * Limits and timers of a {@link YamuxSession}. Start from {@link #defaults()} and change what you
 * need with the {@code with...} methods or {@link #with} ({@code with(YamuxConfig::ackBacklog,
 * 2)}).
 *
 * @param maxReceiveWindow largest receive window per stream that auto-tuning may grow to (bytes, at
 *     least {@link #INITIAL_WINDOW}); equal to it disables auto-tuning. This also bounds the memory
 *     a stream's receive buffer may use.
 * @param maxFramePayload largest Data payload we write in one frame (bytes). Receivers accept any
 *     size up to the window.
 * @param maxInboundStreams inbound streams open at once; a SYN beyond it is answered with RST and
 *     the session lives on
 * @param ackBacklog outbound streams not yet acknowledged by the remote; {@link
 *     YamuxSession#openStream()} blocks up to {@code openTimeout} while it is full
 * @param keepAliveInterval a ping is sent when nothing was received for this long; zero disables
 *     keep-alive (and the initial RTT ping)
 * @param pingTimeout a keep-alive ping not answered within this closes the session
 * @param writeTimeout how long a write may wait for send window, or for the connection's write
 *     lock; on the lock it is fatal for the session (the connection is stuck)
 * @param openTimeout how long {@link YamuxSession#openStream()} waits for the ack backlog
 * @param readTimeout how long a stream read waits for data; zero waits until data, FIN, RST or
 *     session close (the default: long-lived streams such as pubsub are idle for minutes)
 */
public record YamuxConfig(
    int maxReceiveWindow,
    int maxFramePayload,
    int maxInboundStreams,
    int ackBacklog,
    Duration keepAliveInterval,
    Duration pingTimeout,
    Duration writeTimeout,
    Duration openTimeout,
    Duration readTimeout)
    implements Copyable<YamuxConfig> {

  /** The initial send and receive window of every stream, fixed by the spec: 256 KiB. */
  public static final int INITIAL_WINDOW = 256 * 1024;

  /**
   * Default Data payload: 64 KiB, as go and js write, so that the usual 64 KiB application write is
   * one frame: one header, one lock round and one wake of the remote's reader instead of two (a
   * 65507-byte frame, sized to fill one Noise message with its header, left a 29-byte runt frame
   * per 64 KiB write). Noise splits the frame into messages wherever they fill up.
   */
  public static final int DEFAULT_MAX_FRAME_PAYLOAD = 64 * 1024;

  public YamuxConfig {
    if (maxReceiveWindow < INITIAL_WINDOW) {
      throw new IllegalArgumentException("maxReceiveWindow below 256 KiB: " + maxReceiveWindow);
    }
    if (maxFramePayload < 1 || maxFramePayload > INITIAL_WINDOW) {
      throw new IllegalArgumentException("maxFramePayload out of [1, 256 KiB]: " + maxFramePayload);
    }
    if (maxInboundStreams < 0 || ackBacklog < 1) {
      throw new IllegalArgumentException("bad stream limits");
    }
    requireNonNegative(keepAliveInterval, "keepAliveInterval");
    requirePositive(pingTimeout, "pingTimeout");
    requirePositive(writeTimeout, "writeTimeout");
    requirePositive(openTimeout, "openTimeout");
    requireNonNegative(readTimeout, "readTimeout");
  }

  /**
   * 16 MiB max window (as go and js), 64 KiB frames, 1000 inbound streams, backlog 256, keep-alive
   * 30 s, ping timeout 10 s, write timeout 10 s, open timeout 10 s, no read timeout.
   */
  public static YamuxConfig defaults() {
    return new YamuxConfig(
        16 * 1024 * 1024,
        DEFAULT_MAX_FRAME_PAYLOAD,
        1000,
        256,
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ZERO);
  }

  public YamuxConfig withMaxReceiveWindow(int bytes) {
    return copy().set("maxReceiveWindow", bytes).build();
  }

  public YamuxConfig withKeepAlive(Duration interval, Duration timeout) {
    return copy().set("keepAliveInterval", interval).set("pingTimeout", timeout).build();
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  private static void requireNonNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }
}
