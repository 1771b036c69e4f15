package dev.cairn.p2p;

import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.Libp2pHost;
import dev.cairn.p2p.identify.IdentifyService;
import dev.cairn.p2p.perf.PerfService;
import dev.cairn.p2p.ping.PingService;
import java.io.Closeable;
import java.io.IOException;

/**
 * A host with the standard protocols installed: identify (and push), ping and perf. The usual way
 * to start a libp2p peer: {@code Libp2p.create(HostConfig.defaults(key, addrs))}.
 */
public record Libp2p(Libp2pHost host, IdentifyService identify, PingService ping, PerfService perf)
    implements Closeable {

  public static Libp2p create(HostConfig config) throws IOException {
    return create(config, true);
  }

  /**
   * As {@link #create(HostConfig)}; with {@code servePerf} false the host does not serve {@code
   * /perf/1.0.0} (its {@link #perf()} still runs as a client).
   */
  public static Libp2p create(HostConfig config, boolean servePerf) throws IOException {
    Libp2pHost host = Libp2pHost.create(config);
    return new Libp2p(
        host,
        IdentifyService.install(host, config.agentVersion(), config.protocolVersion()),
        PingService.install(host),
        servePerf ? PerfService.install(host) : PerfService.clientOnly(host));
  }

  @Override
  public void close() {
    host.close();
  }
}
