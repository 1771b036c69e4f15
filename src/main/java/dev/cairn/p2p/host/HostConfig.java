package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.transport.TcpTransport;
import dev.cairn.p2p.transport.Transport;
import dev.cairn.p2p.yamux.YamuxConfig;
import java.time.Duration;
import java.util.List;

/**
 * Everything a host is built from.
 *
 * @param identity our identity key
 * @param listenAddresses where to listen (port 0 picks a free port); may be empty (dial only)
 * @param transport TCP by default; tests use an in-memory one
 * @param agentVersion sent in identify, e.g. {@code cairn/0.1.0}
 * @param limits connection caps
 * @param dialTimeout TCP connect
 * @param handshakeTimeout the whole upgrade: multistream, Noise, muxer selection
 * @param streamNegotiationTimeout multistream on a new stream
 * @param yamux muxer settings
 * @param earlyMuxerNegotiation offer the muxer inside the Noise handshake (saves a round trip)
 * @param banDuration how long a peer whose standing fell to the threshold stays banned
 */
public record HostConfig(
    PrivateKey identity,
    List<Multiaddr> listenAddresses,
    Transport transport,
    String agentVersion,
    String protocolVersion,
    ConnectionLimits limits,
    Duration dialTimeout,
    Duration handshakeTimeout,
    Duration streamNegotiationTimeout,
    YamuxConfig yamux,
    boolean earlyMuxerNegotiation,
    Duration banDuration) {

  public HostConfig {
    listenAddresses = List.copyOf(listenAddresses);
  }

  /** Defaults: TCP, 10 s timeouts, default limits and yamux settings. */
  public static HostConfig defaults(PrivateKey identity, List<Multiaddr> listenAddresses) {
    return new HostConfig(
        identity,
        listenAddresses,
        new TcpTransport(),
        "cairn/0.1.0",
        "ipfs/0.1.0",
        ConnectionLimits.defaults(),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        YamuxConfig.defaults(),
        true,
        Duration.ofMinutes(10));
  }

  public HostConfig withLimits(ConnectionLimits l) {
    return new Builder(this).limits(l).build();
  }

  public HostConfig withTransport(Transport t) {
    return new Builder(this).transport(t).build();
  }

  public HostConfig withHandshakeTimeout(Duration d) {
    return new Builder(this).handshakeTimeout(d).build();
  }

  public HostConfig withEarlyMuxerNegotiation(boolean on) {
    return new Builder(this).earlyMuxerNegotiation(on).build();
  }

  public HostConfig withBanDuration(Duration d) {
    return new Builder(this).banDuration(d).build();
  }

  public HostConfig withAgentVersion(String agent) {
    return new Builder(this).agentVersion(agent).build();
  }

  public HostConfig withYamux(YamuxConfig y) {
    return new Builder(this).yamux(y).build();
  }

  /** Copies a config with some fields changed; the withers above use it. */
  private static final class Builder {
    private final HostConfig c;
    private Transport transport;
    private String agentVersion;
    private ConnectionLimits limits;
    private Duration handshakeTimeout;
    private YamuxConfig yamux;
    private boolean earlyMuxerNegotiation;
    private Duration banDuration;

    Builder(HostConfig c) {
      this.c = c;
      this.transport = c.transport;
      this.agentVersion = c.agentVersion;
      this.limits = c.limits;
      this.handshakeTimeout = c.handshakeTimeout;
      this.yamux = c.yamux;
      this.earlyMuxerNegotiation = c.earlyMuxerNegotiation;
      this.banDuration = c.banDuration;
    }

    Builder transport(Transport t) {
      transport = t;
      return this;
    }

    Builder agentVersion(String a) {
      agentVersion = a;
      return this;
    }

    Builder limits(ConnectionLimits l) {
      limits = l;
      return this;
    }

    Builder handshakeTimeout(Duration d) {
      handshakeTimeout = d;
      return this;
    }

    Builder yamux(YamuxConfig y) {
      yamux = y;
      return this;
    }

    Builder earlyMuxerNegotiation(boolean on) {
      earlyMuxerNegotiation = on;
      return this;
    }

    Builder banDuration(Duration d) {
      banDuration = d;
      return this;
    }

    HostConfig build() {
      return new HostConfig(
          c.identity,
          c.listenAddresses,
          transport,
          agentVersion,
          c.protocolVersion,
          limits,
          c.dialTimeout,
          handshakeTimeout,
          c.streamNegotiationTimeout,
          yamux,
          earlyMuxerNegotiation,
          banDuration);
    }
  }
}
