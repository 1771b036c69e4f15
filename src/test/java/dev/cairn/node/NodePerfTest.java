package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.perf.PerfService;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node serves {@code /perf/1.0.0} (up to 64 GiB to whoever asks) only when told to. */
@Timeout(60)
class NodePerfTest {
  @TempDir Path tmp;

  private NodeConfig config(String name, boolean enablePerf) {
    return NodeConfig.of("dev", tmp.resolve(name), c -> c.enablePerf = enablePerf);
  }

  private static Libp2p loopbackClient() throws Exception {
    return Libp2p.create(
        HostConfig.defaults(
            Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
  }

  @Test
  void aNodeRefusesPerfUnlessEnabled() throws Exception {
    try (Node node = Node.start(config("plain", false));
        Libp2p client = loopbackClient()) {
      assertThat(node.p2p().host().protocols()).doesNotContain(PerfService.PROTOCOL_ID);
      client.host().dial(node.p2p().host().fullAddress().orElseThrow());
      assertThatThrownBy(() -> client.perf().run(node.p2p().host().peerId(), 0, 1 << 20))
          .as("the node refuses the perf protocol")
          .isInstanceOf(Exception.class);
    }
    try (Node node = Node.start(config("perf", true));
        Libp2p client = loopbackClient()) {
      client.host().dial(node.p2p().host().fullAddress().orElseThrow());
      PerfService.Result r = client.perf().run(node.p2p().host().peerId(), 0, 1 << 20);
      assertThat(r.downloaded()).isEqualTo(1 << 20);
    }
  }
}
