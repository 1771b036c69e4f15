package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.p2p.record.PeerRecord;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Full-stack gossipsub (multistream, Noise, yamux) between hosts in one JVM, in memory. */
@Timeout(60)
class GossipNetworkTest {
  static final String TOPIC = "/cairn/test/gossip";
  static final GossipConfig FAST = GossipConfig.defaults().withHeartbeat(Duration.ofMillis(100));

  @RegisterExtension final TestNet net = TestNet.memory();

  private Libp2p host(long seed) throws Exception {
    return net.host(seed);
  }

  private GossipRouter router(Libp2p host, GossipConfig config) {
    return net.own(GossipRouter.start(host.host(), config));
  }

  /** A FAST router on {@code host} that opens its streams to peers through {@code opener}. */
  private GossipRouter startOpeningWith(Libp2p host, GossipRouter.StreamOpener opener) {
    return net.own(GossipRouter.start(host.host(), FAST, java.time.Clock.systemUTC(), 1, opener));
  }

  /** A per-host record of every delivery: message text → times delivered. */
  private static Map<String, AtomicInteger> collect(GossipRouter r) {
    return collect(r, TOPIC);
  }

  /** As {@link #collect(GossipRouter)} on {@code topic}. */
  static Map<String, AtomicInteger> collect(GossipRouter r, String topic) {
    Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
    r.subscribe(
        topic,
        m ->
            got.computeIfAbsent(
                    new String(m.data(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                .incrementAndGet());
    return got;
  }

  @Test
  void thirtyHostsConvergeToMeshBoundsAndDeliverEveryMessageExactlyOnce() throws Exception {
    int n = 30;
    List<GossipRouter> rs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rs.add(router(host(i), FAST));
    }
    Random random = new Random(3);
    // each host dials 5 distinct others: every host has at least 5 peers, so D_lo is reachable
    for (int i = 0; i < n; i++) {
      java.util.Set<Integer> picked = new java.util.HashSet<>();
      while (picked.size() < 5) {
        picked.add((i + 1 + random.nextInt(n - 1)) % n);
      }
      for (int j : picked) {
        net.hosts().get(i).host().dial(net.hosts().get(j).host().fullAddress().orElseThrow());
      }
    }
    List<Map<String, AtomicInteger>> got = new ArrayList<>();
    for (GossipRouter r : rs) {
      got.add(collect(r));
    }
    for (GossipRouter r : rs) {
      Await.until(
          () -> {
            int size = r.meshPeers(TOPIC).size();
            return size >= 4 && size <= 12;
          },
          Duration.ofSeconds(20),
          "mesh within D_lo..D_hi");
    }
    int messages = 20;
    for (int i = 0; i < messages; i++) {
      PublishResult result = rs.get(i % n).publish(TOPIC, ("m" + i).getBytes()).get();
      assertThat(result.peers()).isPositive();
    }
    for (int h = 0; h < n; h++) {
      Map<String, AtomicInteger> g = got.get(h);
      int expected = messages - (h < messages ? 1 : 0); // a publisher does not hear itself
      Await.until(() -> g.size() == expected, Duration.ofSeconds(20), "all messages at " + h);
    }
    // Late duplicates (a copy forwarded by a slow mesh peer, or fetched again by IWANT after an
    // IHAVE) can come for as long as the message cache gossips a message: wait out that window
    // twice over (mcacheLen heartbeats), failing at once if a duplicate shows up meanwhile.
    long window = 2 * FAST.mcacheLen() * FAST.heartbeat().toNanos();
    long quietUntil = System.nanoTime() + window;
    Await.until(
        () ->
            System.nanoTime() > quietUntil
                || got.stream().anyMatch(g -> g.values().stream().anyMatch(c -> c.get() > 1)),
        Duration.ofSeconds(20),
        "the gossip window passes");
    for (Map<String, AtomicInteger> g : got) {
      g.forEach((text, count) -> assertThat(count.get()).as(text).isEqualTo(1));
    }
    for (GossipRouter r : rs) {
      assertThat(r.meshPeers(TOPIC).size()).isBetween(4, 12);
    }
  }

  @Test
  void aSlowPeerIsDroppedAndDoesNotDelayTheOthers() throws Exception {
    GossipConfig config = FAST.withPeerQueue(32);
    Libp2p pubHost = host(100);
    GossipRouter publisher = router(pubHost, config);
    List<Map<String, AtomicInteger>> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Libp2p h = host(101 + i);
      got.add(collect(router(h, config)));
      h.host().dial(pubHost.host().fullAddress().orElseThrow());
    }
    CountDownLatch release = new CountDownLatch(1);
    PeerId slowId = silentSubscriber(200, pubHost, release);
    Await.until(() -> publisher.topicPeers(TOPIC).size() == 5, "all five subscribers known");
    byte[] payload = new byte[16 * 1024];
    int count = 200;
    for (int i = 0; i < count; i++) {
      // Keep the good peers within half a queue of the publisher: a mesh peer whose queue overflows
      // loses the message for good (IHAVE goes to non-mesh peers only), and on a loaded machine
      // their writers can fall 32 behind a tight publish loop. The slow peer reads nothing, so its
      // queue still fills and it is dropped, which is what this test is about.
      int behind = i - config.peerQueue() / 2;
      if (behind > 0) {
        for (Map<String, AtomicInteger> g : got) {
          Await.until(() -> g.size() >= behind, Duration.ofSeconds(20), "good peers keep up");
        }
      }
      byte[] data = payload.clone();
      byte[] tag = ("p" + i + ":").getBytes(StandardCharsets.UTF_8);
      System.arraycopy(tag, 0, data, 0, tag.length);
      publisher.publish(TOPIC, data).get();
    }
    for (Map<String, AtomicInteger> g : got) {
      Await.until(() -> g.size() == count, Duration.ofSeconds(20), "every message delivered");
    }
    Await.until(
        () -> !pubHost.host().isConnected(slowId), Duration.ofSeconds(10), "slow peer dropped");
    release.countDown();
  }

  @Test
  void aPeerThatNeverReadsIsDroppedAtItsQueuesByteBoundWithNothingQueuedPastIt() throws Exception {
    // 1,024 RPCs by count would hold 16 MiB of these messages; the byte bound holds 256 KiB.
    GossipConfig config = FAST.withMaxRpcBytes(64 * 1024).withPeerQueueBytes(256 * 1024);
    Libp2p pubHost = host(500);
    GossipRouter publisher = router(pubHost, config);
    CountDownLatch release = new CountDownLatch(1);
    PeerId slowId = silentSubscriber(501, pubHost, release);
    Await.until(() -> publisher.topicPeers(TOPIC).contains(slowId), "the slow peer subscribed");
    // What yamux takes before its window closes, plus the queue's bound, plus slack: far below
    // the count bound.
    for (int i = 0; i < 200 && publisher.stats().slowPeers() == 0; i++) {
      byte[] data = new byte[16 * 1024];
      data[0] = (byte) i;
      data[1] = (byte) (i >> 8);
      publisher.publish(TOPIC, data).get();
    }
    GossipStats stats = publisher.stats();
    assertThat(stats.slowPeers()).isEqualTo(1);
    assertThat(stats.queueDropped()).isPositive();
    assertThat(stats.queueDroppedBytes()).isGreaterThanOrEqualTo(16 * 1024);
    Await.until(
        () -> !pubHost.host().isConnected(slowId), Duration.ofSeconds(10), "slow peer dropped");
    release.countDown();
  }

  @Test
  void peersRpcsWaitingForABusyRouterAreBoundedByBytesAndTheRestDroppedAndCounted()
      throws Exception {
    // The router's owner thread stalls (its clock blocks) while a crafted peer sends 40 RPCs of
    // 60 KiB: the mailbox takes 8,192 RPCs by count but only 256 KiB of them by bytes.
    CountDownLatch stall = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stalling =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.time.Clock clock =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            if (stalling.get() && Thread.currentThread().getName().startsWith("gossip-router")) {
              try {
                stall.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return java.time.Instant.now();
          }
        };
    GossipConfig config = FAST.withMaxRpcBytes(64 * 1024).withMailboxBytes(256 * 1024);
    Libp2p a = host(600);
    GossipRouter router = net.own(GossipRouter.start(a.host(), config, clock, 1));
    collect(router);
    Libp2p raw = scriptedPeerDialling(601, a);
    Stream s = raw.host().newStream(a.host().peerId(), GossipState.MESHSUB_11);
    stalling.set(true);
    for (int i = 0; i < 40; i++) {
      byte[] data = new byte[60 * 1024];
      data[0] = (byte) i;
      writeRpc(s.out(), Rpc.ofMessage(new Rpc.Message(null, data, null, TOPIC, null, null)));
    }
    Await.until(
        () -> router.stats().inboundDropped() >= 40 - 256 / 60 - 1,
        Duration.ofSeconds(20),
        "RPCs past the byte bound dropped");
    stalling.set(false);
    stall.countDown();
    assertThat(router.stats().inboundDropped()).isLessThan(40);
  }

  /**
   * A host (identity from {@code seed}) that speaks gossipsub by hand: it drains whatever it is
   * sent on its inbound stream, and has dialled {@code to}.
   */
  private Libp2p scriptedPeerDialling(long seed, Libp2p to) throws Exception {
    Libp2p p = host(seed);
    p.host()
        .setHandler(
            GossipState.MESHSUB_11, s -> s.in().transferTo(OutputStream.nullOutputStream()));
    p.host().dial(to.host().fullAddress().orElseThrow());
    return p;
  }

  @Test
  void aMessagePublishedWhileOurStreamToAPeerOpensReachesItExactlyOnce() throws Exception {
    Libp2p a = host(400);
    Libp2p peer = host(401);
    PeerId peerId = peer.host().peerId();
    // Our stream to the crafted peer stays "opening" until the test lets it open.
    CountDownLatch open = new CountDownLatch(1);
    GossipRouter router =
        startOpeningWith(
            a,
            (c, protocols) -> {
              try {
                if (c.remotePeer().equals(peerId)) {
                  open.await();
                }
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
              return c.newStream(protocols);
            });
    collect(router);
    // The crafted peer speaks meshsub by hand: it records every message it is sent.
    Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
    peer.host()
        .setHandler(
            GossipState.MESHSUB_11,
            s -> {
              java.io.InputStream in = s.in();
              int len;
              while ((len =
                      Varint.readLength(
                          in, FAST.maxRpcBytes(), dev.cairn.p2p.ProtocolException.Scope.STREAM))
                  >= 0) {
                Rpc rpc = GossipCodec.decode(in.readNBytes(len), GossipCodec.Limits.of(FAST));
                for (Rpc.Message m : rpc.messages()) {
                  got.computeIfAbsent(
                          new String(m.data(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                      .incrementAndGet();
                }
              }
            });
    peer.host().dial(a.host().fullAddress().orElseThrow());
    Stream out = peer.host().newStream(a.host().peerId(), GossipState.MESHSUB_11);
    writeRpc(out.out(), subscribe(TOPIC));
    Await.until(() -> router.topicPeers(TOPIC).contains(peerId), "the peer's subscription known");
    PublishResult r = router.publish(TOPIC, "early".getBytes(StandardCharsets.UTF_8)).get();
    assertThat(r.peers()).isEqualTo(1);
    open.countDown();
    Await.until(() -> got.containsKey("early"), Duration.ofSeconds(10), "the early message");
    // Messages on one stream arrive in order: once a later one is in, a repeat would be too.
    router.publish(TOPIC, "later".getBytes(StandardCharsets.UTF_8)).get();
    Await.until(() -> got.containsKey("later"), Duration.ofSeconds(10), "the later message");
    assertThat(got.get("early").get()).isEqualTo(1);
    assertThat(router.stats().heldDropped()).isZero();
  }

  @Test
  void aPeerThatRefusesOurStreamCannotMakeEachOfItsRpcsCostUsAStreamAttempt() throws Exception {
    Libp2p a = host(700);
    Libp2p peer = host(701); // speaks no pubsub inbound: our stream to it fails
    PeerId peerId = peer.host().peerId();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    GossipRouter router =
        startOpeningWith(
            a,
            (c, protocols) -> {
              if (!c.remotePeer().equals(peerId)) {
                return c.newStream(protocols);
              }
              attempts.incrementAndGet();
              try {
                return c.newStream(protocols);
              } catch (java.io.IOException e) {
                failures.incrementAndGet();
                throw e;
              }
            });
    peer.host().dial(a.host().fullAddress().orElseThrow());
    Await.until(() -> failures.get() == 1, "our first stream refused");
    Stream out = peer.host().newStream(a.host().peerId(), GossipState.MESHSUB_11);
    for (int i = 0; i < 10; i++) {
      String topic = "topic-" + i;
      writeRpc(out.out(), subscribe(topic));
      Await.until(() -> router.topicPeers(topic).contains(peerId), "RPC " + topic + " handled");
      Await.until(() -> attempts.get() == failures.get(), "no attempt in flight");
    }
    assertThat(attempts.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void malformedAndOversizedRpcsArePenalisedWithoutHarm() throws Exception {
    Libp2p a = host(300);
    GossipRouter router = router(a, FAST);
    collect(router);
    Libp2p raw = scriptedPeerDialling(301, a);
    Stream s = raw.host().newStream(a.host().peerId(), GossipState.MESHSUB_11);
    OutputStream out = s.out();
    // not a protobuf: field 1 with wire type 7
    byte[] garbage = {0x0f, 0x01, 0x02};
    Varint.write(garbage.length, out);
    out.write(garbage);
    // an RPC with a message id of 0 bytes
    byte[] badId =
        GossipCodec.encode(
            Rpc.ofControl(
                new Rpc.Control(
                    List.of(), List.of(new Rpc.IWant(List.of())), List.of(), List.of())));
    Varint.write(badId.length, out);
    out.write(badId);
    out.flush();
    PeerId rawId = raw.host().peerId();
    Await.until(() -> router.score(rawId) < 0, "penalised for the malformed RPC");
    // a length prefix above the limit resets the stream; the router lives on
    Varint.write(FAST.maxRpcBytes() + 1, out);
    out.flush();
    Await.until(() -> router.score(rawId) < -10, "penalised again");
    assertThat(router.meshPeers(TOPIC)).isEmpty();
  }

  @Test
  void aPeerPrunedWithPxCarryingASignedRecordConnectsToAPeerItDidNotKnow() throws Exception {
    Libp2p x = host(400);
    GossipRouter rx = router(x, FAST);
    collect(rx);
    Libp2p z = host(401);
    collect(router(z, FAST));
    PeerId zId = z.host().peerId();
    assertThat(x.host().peerStore().get(zId)).isEmpty();
    // The pruning peer is scripted: our router attaches no records (it holds none of other
    // peers), but go and js do, and this is the path their PX takes into our node.
    Libp2p hub = scriptedPeerDialling(402, x);
    PeerId hubId = hub.host().peerId();
    rx.setAppScore(hubId, 2); // P5 weight 10: 20 >= acceptPx (10)
    // the router knows the hub (and so scores it) once its outbound stream to the hub is up; a
    // PRUNE
    // arriving before that would be judged at score 0 and its PX ignored
    Await.until(() -> rx.score(hubId) >= 10, "x scores the hub above acceptPx");
    byte[] record =
        PeerRecord.of(
                zId,
                1,
                List.of(
                    new byte[] {0x7f, 0x01}, // not a multiaddr: skipped
                    z.host().listenAddresses().get(0).encode()))
            .sign(z.host().identity())
            .encode();
    Stream out = hub.host().newStream(x.host().peerId(), GossipState.MESHSUB_11);
    writeRpc(
        out.out(),
        new Rpc(
            List.of(new Rpc.SubOpts(true, TOPIC)),
            List.of(),
            new Rpc.Control(
                List.of(),
                List.of(),
                List.of(),
                List.of(
                    new Rpc.Prune(
                        TOPIC, List.of(new Rpc.PeerExchange(zId.bytes(), record)), 60L)))));
    Await.until(
        () -> x.host().isConnected(zId), Duration.ofSeconds(10), "x dialled z from the record");
    assertThat(x.host().peerStore().get(zId).orElseThrow().addresses())
        .contains(z.host().listenAddresses().get(0));
    Await.until(() -> rx.topicPeers(TOPIC).contains(zId), "z is a gossip peer of x");
  }

  @Test
  void pxFromAJavaHubWithAnOverfullMeshLeadsToAPeerWhoseAddressIsKnown() throws Exception {
    GossipConfig hubConfig =
        FAST.copy()
            .set(GossipConfig::d, 2)
            .set(GossipConfig::dLo, 1)
            .set(GossipConfig::dHi, 2)
            .set(GossipConfig::dScore, 1)
            .set(GossipConfig::dOut, 0)
            .set(GossipConfig::dLazy, 2)
            .build()
            .withDoPx(true);
    Libp2p hub = host(500);
    GossipRouter rh = router(hub, hubConfig);
    collect(rh);
    Libp2p p1 = host(501);
    collect(router(p1, FAST));
    Libp2p p2 = host(502);
    collect(router(p2, FAST));
    p1.host().dial(hub.host().fullAddress().orElseThrow());
    p2.host().dial(hub.host().fullAddress().orElseThrow());
    Await.until(() -> rh.meshPeers(TOPIC).size() == 2, "the hub's mesh is at D_hi");
    // x knows p1's address (as from a discovery service) but is not connected to it; PX sends
    // ids only, so the address must come from the peer store.
    Libp2p x = host(503);
    GossipRouter rx = router(x, FAST);
    PeerId p1Id = p1.host().peerId();
    x.host().peerStore().addAddresses(p1Id, p1.host().listenAddresses());
    rx.setAppScore(hub.host().peerId(), 2);
    x.host().dial(hub.host().fullAddress().orElseThrow());
    collect(rx); // x grafts the hub, which is full: PRUNE with PX [p1, p2]
    Await.until(
        () -> x.host().isConnected(p1Id), Duration.ofSeconds(10), "x followed the hub's PX");
    assertThat(rh.meshPeers(TOPIC)).doesNotContain(x.host().peerId());
    Await.until(() -> rx.meshPeers(TOPIC).contains(p1Id), "x meshes with p1 instead");
  }

  /**
   * A peer that speaks meshsub by hand: it dials {@code publisher}, subscribes to {@link #TOPIC},
   * then reads nothing it is sent until {@code release} opens.
   */
  private PeerId silentSubscriber(long seed, Libp2p publisher, CountDownLatch release)
      throws Exception {
    Libp2p slow = host(seed);
    slow.host().setHandler(GossipState.MESHSUB_11, s -> release.await());
    slow.host().dial(publisher.host().fullAddress().orElseThrow());
    Stream out = slow.host().newStream(publisher.host().peerId(), GossipState.MESHSUB_11);
    writeRpc(out.out(), subscribe(TOPIC));
    return slow.host().peerId();
  }

  static Rpc subscribe(String topic) {
    return new Rpc(List.of(new Rpc.SubOpts(true, topic)), List.of(), Rpc.Control.EMPTY);
  }

  static void writeRpc(OutputStream out, Rpc rpc) throws java.io.IOException {
    byte[] b = GossipCodec.encode(rpc);
    Varint.write(b.length, out);
    out.write(b);
    out.flush();
  }

  @Test
  void aVerdictFromAThreadWithItsInterruptFlagSetIsStillPosted() throws Exception {
    // A validator that leaves the flag set (and, alike, a peer sender that is closed while it
    // reports its own failure) must not lose the verdict: the message is still delivered.
    Libp2p rxHost = host(3);
    Libp2p txHost = host(4);
    GossipRouter rx = router(rxHost, FAST);
    GossipRouter tx = router(txHost, FAST);
    rx.setValidator(
        TOPIC,
        Validator.sync(
            m -> {
              Thread.currentThread().interrupt();
              return ValidationResult.ACCEPT;
            }));
    Map<String, AtomicInteger> got = collect(rx);
    collect(tx);
    txHost.host().dial(rxHost.host().fullAddress().orElseThrow());
    Await.until(
        () -> tx.meshPeers(TOPIC).contains(rxHost.host().peerId()),
        Duration.ofSeconds(10),
        "a mesh between the two");
    tx.publish(TOPIC, "flagged".getBytes(StandardCharsets.UTF_8)).get();
    Await.until(() -> got.containsKey("flagged"), Duration.ofSeconds(10), "the message delivered");
  }

  @Test
  void rejectedMessagesCostTheSenderGossipScoreAndHostStandingUntilItIsBanned() throws Exception {
    GossipConfig config =
        FAST.withScore(
            PeerScoreParams.defaults().withTopic(TOPIC, TopicScoreParams.invalidMessagesOnly()),
            PeerScoreThresholds.defaults());
    Libp2p honestHost = host(1);
    Libp2p badHost = host(2);
    GossipRouter honest = router(honestHost, config);
    GossipRouter bad = router(badHost, config);
    honest.setValidator(TOPIC, Validator.sync(m -> ValidationResult.reject("invalid")));
    Map<String, AtomicInteger> got = collect(honest);
    badHost.host().dial(honestHost.host().fullAddress().orElseThrow());
    PeerId badId = badHost.host().peerId();
    Await.until(
        () -> bad.topicPeers(TOPIC).contains(honestHost.host().peerId()),
        Duration.ofSeconds(10),
        "bad peer knows the honest one's topic");
    // the host bans at standing -100; each REJECT costs REJECT_PENALTY
    int needed = (100 + GossipRouter.REJECT_PENALTY - 1) / GossipRouter.REJECT_PENALTY;
    bad.publish(TOPIC, "bad 0".getBytes(StandardCharsets.UTF_8)).get();
    Await.until(() -> honest.score(badId) < 0, Duration.ofSeconds(10), "gossip score below 0");
    assertThat(honestHost.host().isBanned(badId)).isFalse();
    for (int i = 1; i < needed; i++) {
      bad.publish(TOPIC, ("bad " + i).getBytes(StandardCharsets.UTF_8)).get();
    }
    Await.until(
        () -> honestHost.host().isBanned(badId) && !honestHost.host().isConnected(badId),
        Duration.ofSeconds(10),
        "sender of " + needed + " rejected messages banned");
    assertThat(got).isEmpty();
  }
}
