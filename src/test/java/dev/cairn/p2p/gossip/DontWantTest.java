package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.gossip.GossipCommand.PeerUp;
import dev.cairn.p2p.gossip.GossipCommand.RpcIn;
import dev.cairn.p2p.gossip.SimNet.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Gossipsub v1.2 IDONTWANT on the test thread: sent for large messages, honoured, bounded. */
@Timeout(30)
class DontWantTest {
  static final String TOPIC = "t";
  static final GossipConfig CONFIG = GossipConfig.cairn(); // content ids: known before publishing

  /** {@code a} dialled {@code b}, both speaking {@code protocol}. */
  private static void connect(SimNet net, Node a, Node b, String protocol) {
    a.handle(new PeerUp(b.id, protocol, true, "10.0.0." + b.index));
    b.handle(new PeerUp(a.id, protocol, false, "10.0.0." + a.index));
    net.run();
  }

  /** Three nodes of one network in a line. */
  private record Line(SimNet net, Node a, Node b, Node c) {}

  /** a — b — c, all subscribed and meshed, over /meshsub/1.2.0. */
  private static Line line() {
    SimNet net = new SimNet(CONFIG);
    Node a = net.add();
    Node b = net.add();
    Node c = net.add();
    connect(net, a, b, GossipState.MESHSUB_12);
    connect(net, b, c, GossipState.MESHSUB_12);
    for (Node n : List.of(a, b, c)) {
      n.subscribe(TOPIC);
    }
    net.run();
    net.heartbeat();
    assertThat(b.state.mesh(TOPIC)).containsExactlyInAnyOrder(a.id, c.id);
    return new Line(net, a, b, c);
  }

  private static MessageId idOf(byte[] data) {
    return CONFIG.messageIdFor(TOPIC).apply(TOPIC, null, null, data);
  }

  private static Rpc dontWant(List<MessageId> ids) {
    return Rpc.ofControl(
        new Rpc.Control(
            List.of(), List.of(), List.of(), List.of(), List.of(new Rpc.IDontWant(ids))));
  }

  private static byte[] data(int size, int tag) {
    byte[] d = new byte[size];
    d[0] = (byte) tag;
    return d;
  }

  @Test
  void aPeerThatSentIdontwantForAMessageIsNotSentIt() {
    Line line = line();
    byte[] unwanted = data(100, 1);
    line.b().handle(new RpcIn(line.c().id, dontWant(List.of(idOf(unwanted))), List.of(), 0));
    line.a().publish(TOPIC, unwanted);
    byte[] wanted = data(100, 2);
    line.a().publish(TOPIC, wanted);
    line.net().run();
    line.net().heartbeats(3); // c is in b's mesh: no IHAVE brings it back either
    assertThat(line.b().delivered).hasSize(2);
    assertThat(line.c().delivered).extracting(GossipMessage::id).containsExactly(idOf(wanted));
    assertThat(line.b().state.counters().idontwantSuppressed.get()).isEqualTo(1);
  }

  @Test
  void weSendIdontwantToTheMeshForLargeMessagesOnlyBeforeValidationEnds() {
    Line line = line();
    SimNet net = line.net();
    Node b = line.b();
    Node old = net.add(); // a v1.1 mesh peer of b: it would not understand IDONTWANT
    connect(net, old, b, GossipState.MESHSUB_11);
    old.subscribe(TOPIC);
    net.run();
    net.heartbeat();
    assertThat(b.state.mesh(TOPIC)).contains(old.id);
    List<CompletableFuture<ValidationResult>> pending = b.holdValidations(TOPIC);
    List<SimNet.InFlight> fromB = new ArrayList<>();
    net.filter =
        (from, to, rpc) -> {
          if (from == b && !rpc.control().idontwant().isEmpty()) {
            fromB.add(new SimNet.InFlight(from, to, rpc));
          }
          return rpc;
        };
    byte[] large = data(CONFIG.idontwantThreshold(), 1);
    byte[] small = data(CONFIG.idontwantThreshold() - 1, 2);
    line.a().publish(TOPIC, large);
    line.a().publish(TOPIC, small);
    net.run();
    assertThat(pending).hasSize(2); // neither validated yet
    assertThat(fromB).hasSize(1);
    // not back to its source, not to the v1.1 peer
    assertThat(fromB.get(0).to()).isEqualTo(line.c());
    assertThat(fromB.get(0).rpc().control().idontwant())
        .containsExactly(new Rpc.IDontWant(List.of(idOf(large))));
    assertThat(b.state.counters().idontwantSent.get()).isEqualTo(1);
  }

  @Test
  void withNothingToValidateTheForwardGoesOutWithTheIdontwantsOfTheSameStep() {
    // StrictNoSign and no validator: nothing to wait for, so b judges the message in the step that
    // received it, without its worker, and forwards it in the same RPC as its IDONTWANT.
    Line line = line();
    Node b = line.b();
    List<Rpc> fromB = new ArrayList<>();
    line.net().filter =
        (from, to, rpc) -> {
          if (from == b && to == line.c()) {
            fromB.add(rpc);
          }
          return rpc;
        };
    byte[] large = data(CONFIG.idontwantThreshold(), 1);
    int tasks = b.workerTasks;
    line.a().publish(TOPIC, large);
    line.net().run();
    assertThat(b.workerTasks).isEqualTo(tasks);
    assertThat(fromB).hasSize(1);
    assertThat(fromB.get(0).messages()).extracting(Rpc.Message::data).containsExactly(large);
    assertThat(fromB.get(0).control().idontwant())
        .containsExactly(new Rpc.IDontWant(List.of(idOf(large))));
    assertThat(line.c().delivered).extracting(GossipMessage::id).containsExactly(idOf(large));
  }

  @Test
  void aFloodOfIdontwantIsBoundedInIdsBytesAndTime() {
    GossipConfig config =
        CONFIG
            .with(GossipConfig::idontwantMaxIds, 1000)
            .with(GossipConfig::idontwantTtl, Duration.ofSeconds(3));
    SimNet net = new SimNet(config);
    Node b = net.add();
    Node flooder = net.add();
    connect(net, flooder, b, GossipState.MESHSUB_12);
    int n = 0;
    // 20 RPCs of 5,000 short ids in one heartbeat: 1,000 kept, the rest not even looked at
    for (int r = 0; r < 20; r++) {
      List<MessageId> ids = new ArrayList<>();
      for (int i = 0; i < 5000; i++, n++) {
        ids.add(new MessageId(java.nio.ByteBuffer.allocate(32).putInt(n).array()));
      }
      b.handle(new RpcIn(flooder.id, dontWant(ids), List.of(), 0));
    }
    assertThat(b.state.dontWantKept(flooder.id)).isEqualTo(1000);
    assertThat(b.state.counters().idontwantReceived.get()).isEqualTo(1000);
    // full: the next heartbeat's ids are looked at but not kept until old ones expire
    net.heartbeat();
    List<MessageId> more = new ArrayList<>();
    for (int i = 0; i < 100; i++, n++) {
      more.add(new MessageId(java.nio.ByteBuffer.allocate(32).putInt(n).array()));
    }
    b.handle(new RpcIn(flooder.id, dontWant(more), List.of(), 0));
    assertThat(b.state.dontWantKept(flooder.id)).isEqualTo(1000);
    net.heartbeats(3);
    assertThat(b.state.dontWantKept(flooder.id)).isZero();
    // long ids: the byte bound (1,000 x 64 bytes) keeps 250 ids of 256 bytes
    List<MessageId> big = new ArrayList<>();
    for (int i = 0; i < 1000; i++, n++) {
      big.add(new MessageId(java.nio.ByteBuffer.allocate(256).putInt(n).array()));
    }
    b.handle(new RpcIn(flooder.id, dontWant(big), List.of(), 0));
    assertThat(b.state.dontWantKept(flooder.id)).isEqualTo(250);
  }
}
