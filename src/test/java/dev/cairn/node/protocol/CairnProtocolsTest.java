package dev.cairn.node.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CairnProtocolsTest {

  @Test
  void buildsTheIdsDocumentedInProtocolMd() {
    CairnProtocols dev = CairnProtocols.of("dev");
    assertThat(dev.request(CairnProtocols.STATUS)).isEqualTo("/cairn/dev/req/status/1");
    assertThat(dev.request(CairnProtocols.HEADERS_BY_LOCATOR))
        .isEqualTo("/cairn/dev/req/headers_by_locator/1");
    assertThat(dev.request(CairnProtocols.BLOCKS_BY_HASH))
        .isEqualTo("/cairn/dev/req/blocks_by_hash/1");
    assertThat(dev.request(CairnProtocols.BLOCKS_BY_RANGE))
        .isEqualTo("/cairn/dev/req/blocks_by_range/1");
    assertThat(dev.blocksTopic()).isEqualTo("/cairn/dev/blocks/1");
    assertThat(dev.txsTopic()).isEqualTo("/cairn/dev/txs/1");
    assertThat(dev.kad()).isEqualTo("/cairn/dev/kad/1.0.0");
  }

  @Test
  void readsTheNetworkBackFromAStatusId() {
    for (String network : new String[] {"dev", "test", "a", "net-2"}) {
      String id = CairnProtocols.of(network).request(CairnProtocols.STATUS);
      assertThat(CairnProtocols.statusNetwork(id)).contains(network);
    }
  }

  @Test
  void anyOtherIdNamesNoNetwork() {
    CairnProtocols dev = CairnProtocols.of("dev");
    for (String id :
        new String[] {
          dev.request(CairnProtocols.BLOCKS_BY_HASH),
          dev.blocksTopic(),
          dev.kad(),
          "/ipfs/id/1.0.0",
          "/cairn/dev/req/status/2",
          "/other/dev/req/status/1",
          "",
          // the prefix and the suffix overlap or meet: nothing between them is no network
          "/cairn/req/status/1",
          "/cairn//req/status/1",
          "/req/status/1"
        }) {
      assertThat(CairnProtocols.statusNetwork(id)).as(id).isEmpty();
    }
  }

  @Test
  void aNetworkNameThatWouldBreakTheIdIsRefused() {
    assertThatThrownBy(() -> CairnProtocols.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CairnProtocols.of("a/b")).isInstanceOf(IllegalArgumentException.class);
  }
}
