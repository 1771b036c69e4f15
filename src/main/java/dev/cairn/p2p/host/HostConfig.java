package dev.cairn.p2p.host;

import dev.cairn.owner.Copyable;
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
 * @param resources byte and stream budgets of the host's {@link ResourceManager}
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
    Duration banDuration,
    ResourceLimits resources)
    implements Copyable<HostConfig> {

  public HostConfig {
    listenAddresses = List.copyOf(listenAddresses);
  }

  /** Defaults: TCP, 10 s timeouts, default limits, budgets and yamux settings. */
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
        Duration.ofMinutes(10),
        ResourceLimits.defaults());
  }

  public HostConfig withResources(ResourceLimits r) {
    return copy().set("resources", r).build();
  }

  public HostConfig withLimits(ConnectionLimits l) {
    return copy().set("limits", l).build();
  }

  public HostConfig withTransport(Transport t) {
    return copy().set("transport", t).build();
  }

  public HostConfig withHandshakeTimeout(Duration d) {
    return copy().set("handshakeTimeout", d).build();
  }

  public HostConfig withEarlyMuxerNegotiation(boolean on) {
    return copy().set("earlyMuxerNegotiation", on).build();
  }

  public HostConfig withBanDuration(Duration d) {
    return copy().set("banDuration", d).build();
  }

  public HostConfig withAgentVersion(String agent) {
    return copy().set("agentVersion", agent).build();
  }

  public HostConfig withYamux(YamuxConfig y) {
    return copy().set("yamux", y).build();
  }
}
