package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.kad.KadConfig;
import dev.cairn.p2p.reqresp.ReqRespConfig;
import dev.cairn.p2p.yamux.YamuxConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordCopyTest {

  @Test
  void aWitherChangesItsComponentsAndKeepsTheOthers() {
    KadConfig base = KadConfig.defaults();
    KadConfig changed = base.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(changed.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(changed.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(changed.withTimeouts(base.requestTimeout(), base.queryTimeout())).isEqualTo(base);
    ReqRespConfig rr = ReqRespConfig.defaults("/x/1").withMaxResponseBytes(7);
    assertThat(rr.maxResponseBytes()).isEqualTo(7);
    assertThat(rr.withMaxResponseBytes(16L << 20)).isEqualTo(ReqRespConfig.defaults("/x/1"));
  }

  @Test
  void theCopyGoesThroughTheRecordsOwnChecks() {
    assertThatThrownBy(() -> KadConfig.defaults().withK(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> YamuxConfig.defaults().withKeepAlive(Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pingTimeout");
  }

  @Test
  void anUnknownNameOrAWrongTypeFailsAtOnce() {
    RecordCopy<KadConfig> copy = RecordCopy.of(KadConfig.defaults());
    assertThatThrownBy(() -> copy.set("kk", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no component kk");
    assertThatThrownBy(() -> copy.set("k", 3L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k takes Integer");
    assertThatThrownBy(() -> copy.set("k", null)).isInstanceOf(IllegalArgumentException.class);
  }
}
