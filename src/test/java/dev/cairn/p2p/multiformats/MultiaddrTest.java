package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MultiaddrTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encodesTheSpecVector() throws Exception {
    Multiaddr a = Multiaddr.parse("/ip4/192.0.2.42/tcp/443");
    assertThat(HEX.formatHex(a.encode())).isEqualTo("04c000022a0601bb");
    assertThat(Multiaddr.decode(HEX.parseHex("04c000022a0601bb"))).isEqualTo(a);
  }

  @Test
  void encodesDnsWithLengthPrefix() {
    Multiaddr a = Multiaddr.parse("/dns4/example.com/tcp/443");
    assertThat(HEX.formatHex(a.encode())).isEqualTo("360b6578616d706c652e636f6d0601bb");
  }

  @Test
  void roundTripsTextAndBinary() throws Exception {
    String id = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    for (String text :
        new String[] {
          "/ip4/127.0.0.1/tcp/4001/p2p/" + id,
          "/ip6/::1/tcp/0",
          "/ip6/2001:db8::1:0:0:1/tcp/80",
          "/dns/node.example/tcp/4001",
          "/dns6/x.example/tcp/1",
          "/ip4/1.2.3.4/udp/5/quic-v1",
          "/ip4/1.2.3.4/tcp/5/ws",
        }) {
      Multiaddr a = Multiaddr.parse(text);
      assertThat(a.toString()).isEqualTo(text);
      assertThat(Multiaddr.decode(a.encode())).isEqualTo(a);
    }
  }

  @Test
  void acceptsIpfsAliasAndPrintsP2p() {
    String id = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
    Multiaddr a = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ipfs/" + id);
    assertThat(a.toString()).isEqualTo("/ip4/1.2.3.4/tcp/1/p2p/" + id);
    assertThat(a.peerId()).map(PeerId::toBase58).contains(id);
    assertThat(a.withoutPeerId().toString()).isEqualTo("/ip4/1.2.3.4/tcp/1");
  }

  @Test
  void convertsTcpSocketAddresses() {
    Multiaddr a = Multiaddr.ofTcp(new InetSocketAddress("127.0.0.1", 4001));
    assertThat(a.toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
    assertThat(a.toTcpSocketAddress().getPort()).isEqualTo(4001);
    assertThat(a.isTcp()).isTrue();
    assertThat(Multiaddr.parse("/ip4/1.2.3.4/udp/5/quic-v1").isTcp()).isFalse();
  }

  @Test
  void rejectsBadText() {
    for (String bad :
        new String[] {
          "",
          "ip4/1.2.3.4",
          "/ip4/256.0.0.1",
          "/ip4/1.2.3",
          "/tcp/70000",
          "/tcp/-1",
          "/foo/1",
          "/ip4",
          "/p2p/notapeerid",
          "/ip6/1.2.3.4"
        }) {
      assertThatThrownBy(() -> Multiaddr.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void rejectsBadBinary() {
    for (String bad : new String[] {"", "04c00002", "ff7f", "3505616263", "a50302ffff", "060f"}) {
      assertThatThrownBy(() -> Multiaddr.decode(HEX.parseHex(bad)))
          .as(bad)
          .isInstanceOf(ProtocolException.class);
    }
    assertThatThrownBy(() -> Multiaddr.decode(new byte[2000]))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("TOO_LARGE");
  }

  @Test
  void refusesANameThatIsNotUtf8() {
    // A fuzz finding: /ip6zone with bytes 0e 00 ff 04 printed as U+FFFD and re-encoded otherwise.
    assertThatThrownBy(
            () ->
                Multiaddr.decode(
                    new byte[] {0x2a, 0x06, 0x2a, 0x0b, 0x0e, 0x00, (byte) 0xff, 0x04}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("not UTF-8");
  }
}
