package dev.cairn.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.JsPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our DHT against js-libp2p's {@code @libp2p/kad-dht} (server mode forced, same protocol id), over
 * TCP on loopback: each side finds a peer of the other kind through a peer of that kind.
 */
@Timeout(120)
class KadInteropIT {
  private static final String PROTOCOL = "/cairn/interop/kad/1.0.0";
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void enabled() {
    JsPeer.assumeEnabled();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private KadDht java(List<Multiaddr> bootnodes) throws Exception {
    Libp2p p =
        Libp2p.create(
            HostConfig.defaults(
                Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
    open.add(p);
    KadDht d =
        KadDht.start(
            p,
            KadConfig.defaults()
                .withProtocolId(PROTOCOL)
                .with(KadConfig::targetConnections, 0)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20)),
            bootnodes);
    open.add(d);
    return d;
  }

  private JsPeer js() {
    JsPeer j = JsPeer.start("--kad", "--kad-protocol", PROTOCOL);
    open.add(j);
    return j;
  }

  @Test
  void jsFindsAJavaPeerThroughAnotherJavaPeer() throws Exception {
    KadDht j1 = java(List.of());
    KadDht j2 = java(List.of(j1.host().fullAddress().orElseThrow()));
    Await.until(() -> j1.routingTable().contains(j2.host().peerId()), "j1 tables j2");
    JsPeer js = js();
    js.dial(j1.host().fullAddress().orElseThrow().toString());
    Await.until(
        () -> js.call("kadRoutingTable", Map.of()).path("size").asInt() >= 1,
        Duration.ofSeconds(15),
        "js tables j1 (identify lists our kad protocol)");
    assertThat(js.call("kadRoutingTable", Map.of()).path("peers").toString())
        .contains(j1.host().peerId().toBase58());
    JsonNode r =
        js.call(
            "kadFindPeer", Map.of("peer", j2.host().peerId().toBase58()), Duration.ofSeconds(30));
    assertThat(r.path("found").path("peer").asText()).isEqualTo(j2.host().peerId().toBase58());
    assertThat(r.path("found").path("addrs").toString())
        .contains(j2.host().listenAddresses().getFirst().toString());
    // and js entered j1's table: it serves the protocol too
    Await.until(
        () -> j1.routingTable().contains(PeerId.parse(js.peerId())), "j1 tables the js peer");
  }

  @Test
  void javaFindsAJsPeerThroughAnotherJsPeer() throws Exception {
    JsPeer js1 = js();
    JsPeer js2 = js();
    js2.dial(js1.addr());
    Await.until(
        () -> js1.call("kadRoutingTable", Map.of()).path("size").asInt() >= 1,
        Duration.ofSeconds(15),
        "js1 tables js2");
    KadDht j = java(List.of(Multiaddr.parse(js1.addr())));
    PeerId js1Id = PeerId.parse(js1.peerId());
    PeerId js2Id = PeerId.parse(js2.peerId());
    Await.until(() -> j.routingTable().contains(js1Id), "java tables js1 from identify");
    Optional<KadPeer> found = j.findPeer(js2Id);

    assertThat(found).isPresent();
    assertThat(found.get().addresses().stream().map(Multiaddr::toString).toList())
        .anyMatch(a -> js2.addr().startsWith(a));
    // a full lookup reaches js2 itself at the address js1 gave, and both js peers answer
    assertThat(j.closestPeers(js2Id.bytes())).containsExactlyInAnyOrder(js1Id, js2Id);
  }
}
