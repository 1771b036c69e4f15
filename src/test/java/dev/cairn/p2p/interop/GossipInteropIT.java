package dev.cairn.p2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipMessage;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.gossip.MessageIdFunction;
import dev.cairn.p2p.gossip.PublishResult;
import dev.cairn.p2p.gossip.SignaturePolicy;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.JsPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our gossipsub router against js-libp2p's ({@code @libp2p/gossipsub}), relaying through each
 * other: JS–Java–JS and Java–JS–Java, under StrictSign (message id from‖seqno) and StrictNoSign
 * (message id SHA-256 of the data), with the same function configured on both sides.
 */
@Timeout(120)
class GossipInteropIT {
  static final String TOPIC = "/cairn/interop/gossip";
  static final Duration WAIT = Duration.ofSeconds(30);

  private final List<JsPeer> jsPeers = new ArrayList<>();
  private final List<Libp2p> hosts = new ArrayList<>();
  private final List<GossipRouter> routers = new ArrayList<>();

  @AfterEach
  void stop() {
    routers.forEach(GossipRouter::close);
    hosts.forEach(Libp2p::close);
    jsPeers.forEach(JsPeer::close);
  }

  private static GossipConfig config(SignaturePolicy policy) {
    return GossipConfig.defaults()
        .withSignaturePolicy(policy)
        .withMessageId(
            policy == SignaturePolicy.STRICT_SIGN
                ? MessageIdFunction.fromAndSeqno()
                : MessageIdFunction.sha256());
  }

  private JsPeer js(SignaturePolicy policy) {
    JsPeer p =
        JsPeer.start(
            "--gossipsub",
            "--gossip-sign",
            policy == SignaturePolicy.STRICT_SIGN ? "StrictSign" : "StrictNoSign",
            "--gossip-msgid",
            policy == SignaturePolicy.STRICT_SIGN ? "from-seqno" : "sha256");
    jsPeers.add(p);
    p.call("gossipSubscribe", Map.of("topic", TOPIC));
    return p;
  }

  private record JavaNode(Libp2p host, GossipRouter router, List<GossipMessage> got) {}

  private JavaNode java(SignaturePolicy policy) throws Exception {
    Libp2p h =
        Libp2p.create(
            HostConfig.defaults(
                Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))));
    hosts.add(h);
    GossipRouter r = GossipRouter.start(h.host(), config(policy));
    routers.add(r);
    List<GossipMessage> got = new CopyOnWriteArrayList<>();
    r.subscribe(TOPIC, got::add);
    return new JavaNode(h, r, got);
  }

  private static JsonNode awaitMessage(JsPeer js, String dataHex) {
    return js.awaitEvent(
        e ->
            e.path("event").asText().equals("gossip:message")
                && e.path("data").asText().equals(dataHex),
        WAIT,
        "gossip message " + dataHex);
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(SignaturePolicy.class)
  void jsJavaJs(SignaturePolicy policy) throws Exception {
    JavaNode middle = java(policy);
    JsPeer left = js(policy);
    JsPeer right = js(policy);
    String addr = middle.host().host().fullAddress().orElseThrow().toString();
    left.dial(addr); // js dials us
    middle.host().host().dial(Multiaddr.parse(right.addr())); // we dial js
    Await.until(() -> middle.router().meshPeers(TOPIC).size() == 2, WAIT, "both js peers in mesh");

    // js publishes; it reaches us and, relayed by us, the other js peer, with one message id
    left.call("gossipPublish", Map.of("topic", TOPIC, "data", hex("from left " + policy)));
    JsonNode atRight = awaitMessage(right, hex("from left " + policy));
    Await.until(() -> middle.got().size() == 1, WAIT, "message at the Java relay");
    GossipMessage atMiddle = middle.got().get(0);
    assertThat(atMiddle.id().toHex()).isEqualTo(atRight.path("msgId").asText());
    if (policy == SignaturePolicy.STRICT_SIGN) {
      assertThat(atMiddle.author()).contains(PeerId.parse(left.peerId()));
      assertThat(atRight.path("from").asText()).isEqualTo(left.peerId());
    } else {
      assertThat(atMiddle.author()).isEmpty();
      assertThat(atRight.path("from").isNull()).isTrue();
    }

    // we publish; both js peers get it with our message id
    PublishResult ours = middle.router().publish(TOPIC, "from java".getBytes()).get();
    assertThat(ours.peers()).isEqualTo(2);
    for (JsPeer js : List.of(left, right)) {
      JsonNode m = awaitMessage(js, hex("from java"));
      assertThat(m.path("msgId").asText()).isEqualTo(ours.id().toHex());
      if (policy == SignaturePolicy.STRICT_SIGN) {
        assertThat(m.path("from").asText()).isEqualTo(middle.host().host().peerId().toBase58());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(SignaturePolicy.class)
  void javaJsJava(SignaturePolicy policy) throws Exception {
    JsPeer middle = js(policy);
    JavaNode left = java(policy);
    JavaNode right = java(policy);
    left.host().host().dial(Multiaddr.parse(middle.addr())); // we dial js
    middle.dial(right.host().host().fullAddress().orElseThrow().toString()); // js dials us
    Await.until(
        () -> middle.call("gossipPeers", Map.of("topic", TOPIC)).path("mesh").size() == 2,
        WAIT,
        "both Java peers in the js mesh");
    Await.until(() -> left.router().meshPeers(TOPIC).size() == 1, WAIT, "left meshed");
    Await.until(() -> right.router().meshPeers(TOPIC).size() == 1, WAIT, "right meshed");

    // we publish at one end; js relays it to the other end
    PublishResult sent = left.router().publish(TOPIC, "from left".getBytes()).get();
    JsonNode atMiddle = awaitMessage(middle, hex("from left"));
    assertThat(atMiddle.path("msgId").asText()).isEqualTo(sent.id().toHex());
    Await.until(() -> right.got().size() == 1, WAIT, "message at the far Java end");
    assertThat(right.got().get(0).id()).isEqualTo(sent.id());
    assertThat(new String(right.got().get(0).data())).isEqualTo("from left");

    // js publishes; both Java ends get it, with js's id
    middle.call("gossipPublish", Map.of("topic", TOPIC, "data", hex("from js")));
    for (JavaNode j : List.of(left, right)) {
      Await.until(
          () -> j.got().stream().anyMatch(m -> new String(m.data()).equals("from js")),
          WAIT,
          "js message at Java");
    }
    GossipMessage a =
        left.got().stream().filter(m -> new String(m.data()).equals("from js")).findFirst().get();
    GossipMessage b =
        right.got().stream().filter(m -> new String(m.data()).equals("from js")).findFirst().get();
    assertThat(a.id()).isEqualTo(b.id());
    assertThat(right.got()).hasSize(2); // exactly once each
  }

  /**
   * Gossipsub v1.2 both ways, in a triangle: js L publishes a 4 KiB message to us (J) and to js R,
   * which is also in our mesh. R announces IDONTWANT to us, and we hold our verdict until it is in:
   * we then do not relay the message to R. We announce IDONTWANT to R as soon as the message
   * arrives from L, and R keeps it in the map its own forwarding consults.
   */
  @org.junit.jupiter.api.Test
  void idontwantIsSentAndHonouredBothWays() throws Exception {
    SignaturePolicy policy = SignaturePolicy.STRICT_NO_SIGN;
    JavaNode middle = java(policy);
    GossipRouter router = middle.router();
    router.setValidator(
        TOPIC,
        m ->
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  Await.until(() -> router.stats().idontwantReceived() > 0, WAIT, "R's IDONTWANT");
                  return dev.cairn.p2p.gossip.ValidationResult.ACCEPT;
                }));
    JsPeer left = js(policy);
    JsPeer right = js(policy);
    left.dial(middle.host().host().fullAddress().orElseThrow().toString()); // js dials us
    middle.host().host().dial(Multiaddr.parse(right.addr())); // we dial js
    left.dial(right.addr());
    String self = middle.host().host().peerId().toBase58();
    Await.until(() -> router.meshPeers(TOPIC).size() == 2, WAIT, "both js peers in our mesh");
    Await.until(
        () -> right.call("gossipPeers", Map.of("topic", TOPIC)).path("mesh").size() == 2,
        WAIT,
        "R meshed with L and us");
    Await.until(
        () -> left.call("gossipPeers", Map.of("topic", TOPIC)).path("mesh").size() == 2,
        WAIT,
        "L meshed with R and us");
    assertThat(
            right
                .call("gossipDontWant", Map.of("peer", self, "msgId", "00"))
                .path("protocol")
                .asText())
        .isEqualTo("/meshsub/1.2.0");

    byte[] data = new byte[4096];
    new java.util.Random(5).nextBytes(data);
    String dataHex = HexFormat.of().formatHex(data);
    String id =
        HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    left.call("gossipPublish", Map.of("topic", TOPIC, "data", dataHex));
    awaitMessage(right, dataHex);
    // js -> us: R's IDONTWANT arrived and we did not relay the message to R
    Await.until(() -> middle.got().size() == 1, WAIT, "the message at the Java relay");
    assertThat(middle.got().get(0).id().toHex()).isEqualTo(id);
    Await.until(() -> router.stats().idontwantSuppressed() >= 1, WAIT, "our relay to R spared");
    // us -> js: R keeps our IDONTWANT for the message's id
    assertThat(router.stats().idontwantSent()).isGreaterThanOrEqualTo(1);
    Await.until(
        () ->
            right.call("gossipDontWant", Map.of("peer", self, "msgId", id)).path("has").asBoolean(),
        WAIT,
        "js remembers our IDONTWANT");
  }
}
