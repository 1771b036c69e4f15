package dev.cairn.p2p.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ping echo side over real TCP on 127.0.0.1. */
@Timeout(30)
class PingServiceTest {
  private final List<Libp2p> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() {
    hosts.forEach(Libp2p::close);
  }

  Libp2p newHost() throws IOException {
    Libp2p p =
        Libp2p.create(
            HostConfig.defaults(
                Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
    hosts.add(p);
    return p;
  }

  @Test
  void aPingStreamIdleForTheTimeoutIsResetAfterItsEchoes() throws Exception {
    Libp2p server = newHost();
    Libp2p client = newHost();
    PingService.install(server.host(), Duration.ofMillis(300));
    client.host().dial(server.host().fullAddress().orElseThrow());
    try (Stream s = client.host().newStream(server.host().peerId(), PingService.PROTOCOL_ID)) {
      byte[] payload = new byte[PingService.SIZE];
      payload[0] = 7;
      s.out().write(payload);
      s.out().flush();
      assertThat(s.in().readNBytes(PingService.SIZE)).isEqualTo(payload);
      // then nothing: the echo side stops waiting
      assertThatThrownBy(() -> s.in().read())
          .as("the idle ping stream is reset")
          .isInstanceOf(IOException.class);
    }
    assertThat(client.ping().ping(server.host().peerId())).isPositive();
  }
}
