package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.gossip.SimNet.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Byte bounds on what the router holds for peers, on the test thread. */
@Timeout(30)
class GossipBoundsTest {
  static final String TOPIC = "t";

  @Test
  void messagesInValidationAreBoundedByBytesAndTheRestIgnoredUnseenAndCounted() {
    // room for 4,096 messages by count, for about 3 of these by bytes
    GossipConfig config =
        GossipConfig.cairn().withMaxRpcBytes(64 * 1024).withMaxPendingValidationBytes(200_000);
    SimNet net = SimNet.subscribedPair(config, TOPIC);
    Node a = net.node(0);
    Node b = net.node(1);
    List<CompletableFuture<ValidationResult>> answers = b.holdValidations(TOPIC);
    List<PublishResult> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      byte[] data = new byte[60_000];
      data[0] = (byte) i;
      sent.add(a.publish(TOPIC, data));
    }
    net.run();
    assertThat(answers).hasSize(3);
    assertThat(b.state.pendingValidationBytes()).isBetween(180_000L, 200_000L);
    assertThat(b.state.counters().validationsDropped.get()).isEqualTo(7);
    assertThat(b.state.seen(sent.get(9).id())).isFalse(); // a later copy is validated
    answers.forEach(f -> f.complete(ValidationResult.ACCEPT));
    net.run();
    assertThat(b.state.pendingValidationBytes()).isZero();
    assertThat(b.delivered).hasSize(3);
  }
}
