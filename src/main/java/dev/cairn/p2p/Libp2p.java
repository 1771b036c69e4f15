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
    Libp2pHost host = Libp2pHost.create(config);
    return new Libp2p(
        host,
        IdentifyService.install(host, config.agentVersion(), config.protocolVersion()),
        PingService.install(host),
        PerfService.install(host));
  }

  @Override
  public void close() {
    host.close();
  }
}
