package dev.cairn.testing;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hosts of one test on real TCP, each listening on {@code 127.0.0.1} port 0 with a fresh key,
 * closed together after each test: a test class registers it with {@code @RegisterExtension}.
 */
public final class LoopbackHosts implements AfterEachCallback {
  private final List<Libp2p> hosts = new ArrayList<>();

  /** A host with the default config. */
  public Libp2p create() throws IOException {
    return create(UnaryOperator.identity());
  }

  /** A host whose default config {@code tweak} changes first. */
  public Libp2p create(UnaryOperator<HostConfig> tweak) throws IOException {
    HostConfig config =
        HostConfig.defaults(
            Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    Libp2p p = Libp2p.create(tweak.apply(config));
    hosts.add(p);
    return p;
  }

  /** Closes every host made so far. */
  @Override
  public void afterEach(ExtensionContext context) {
    hosts.forEach(Libp2p::close);
    hosts.clear();
  }
}
