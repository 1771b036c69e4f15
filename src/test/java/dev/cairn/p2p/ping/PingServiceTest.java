package dev.cairn.p2p.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.host.Stream;
import dev.cairn.testing.TestNet;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ping echo side over real TCP on 127.0.0.1. */
@Timeout(30)
class PingServiceTest {
  @RegisterExtension final TestNet net = TestNet.tcp();

  @Test
  void aPingStreamIdleForTheTimeoutIsResetAfterItsEchoes() throws Exception {
    Libp2p server = net.host();
    Libp2p client = net.host();
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
