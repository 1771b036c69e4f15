package dev.cairn.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The per-IP and per-subnet counts, without sockets. */
class IpLimiterTest {
  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  private final IpLimiter limiter =
      new IpLimiter(ConnectionLimits.defaults().withPerIp(2, 2, true).withPerSubnet(3));

  @Test
  void subnetsAreTheIpv4Slash24AndTheIpv6Slash64() throws Exception {
    assertThat(IpLimiter.subnetOf(ip("203.0.113.77"))).isEqualTo(ip("203.0.113.0"));
    assertThat(IpLimiter.subnetOf(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")))
        .isEqualTo(ip("2001:db8:1:2::"));
  }

  @Test
  void aFullSubnetRefusesANewAddressAndFreesItsSlotOnClose() throws Exception {
    assertThat(limiter.tryOpen(ip("203.0.113.1"))).isTrue();
    assertThat(limiter.tryOpen(ip("203.0.113.1"))).isTrue();
    assertThat(limiter.tryOpen(ip("203.0.113.1"))).as("per-IP cap").isFalse();
    assertThat(limiter.tryOpen(ip("203.0.113.2"))).isTrue();
    assertThat(limiter.tryOpen(ip("203.0.113.3"))).as("the /24 holds 3").isFalse();
    assertThat(limiter.tryOpen(ip("203.0.114.3"))).as("the next /24 is another subnet").isTrue();

    limiter.handshakeDone(ip("203.0.113.2"));
    limiter.closed(ip("203.0.113.2"));
    assertThat(limiter.tryOpen(ip("203.0.113.3")))
        .as("a closed connection frees its slot")
        .isTrue();
  }

  @Test
  void anIpv6HostCannotEscapeItsSlash64WithNewAddresses() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertThat(limiter.tryOpen(ip("2001:db8:0:1::" + i))).isTrue();
    }
    assertThat(limiter.tryOpen(ip("2001:db8:0:1::99"))).isFalse();
    assertThat(limiter.tryOpen(ip("2001:db8:0:2::1"))).isTrue();
  }

  @Test
  void aRefusalByTheIpCapTakesNoSubnetSlotAndEntriesGoWhenEmpty() throws Exception {
    InetAddress a = ip("198.51.100.1");
    assertThat(limiter.tryOpen(a)).isTrue();
    assertThat(limiter.tryOpen(a)).isTrue();
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryOpen(a)).isFalse();
    }
    assertThat(limiter.tryOpen(ip("198.51.100.2"))).as("refusals left the third slot").isTrue();
    for (String s : new String[] {"198.51.100.1", "198.51.100.1", "198.51.100.2"}) {
      limiter.handshakeDone(ip(s));
      limiter.closed(ip(s));
    }
    assertThat(limiter.trackedIps()).isZero();
    assertThat(limiter.trackedSubnets()).isZero();
  }
}
