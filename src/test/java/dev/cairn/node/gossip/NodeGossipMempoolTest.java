package dev.cairn.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.sync.TestNode;
import dev.cairn.p2p.gossip.GossipMessage;
import dev.cairn.p2p.gossip.MessageId;
import dev.cairn.p2p.gossip.ValidationResult;
import dev.cairn.testing.Await;
import dev.cairn.testing.MemoryTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Gap transactions over gossip: ignored, not relayed, relayed once promoted (t2-A item 6). */
@Timeout(90)
class NodeGossipMempoolTest {
  @TempDir Path dir;
  private final MemoryTransport net = new MemoryTransport();
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(TestNode::close);
  }

  private TestNode node(int i) throws Exception {
    TestNode t =
        TestNode.start(
            net, dir.resolve("n" + i), 2100 + i, ChainFixture.Trivial.PARAMS, TestNode.SYNC);
    nodes.add(t);
    return t;
  }

  private static GossipMessage message(byte[] data, TestNode from) {
    return new GossipMessage(
        NodeGossip.txsTopic(TestNode.NETWORK),
        data,
        new MessageId(Hash.sha256(data).bytes()),
        Optional.empty(),
        0,
        from.id());
  }

  private static boolean pending(TestNode n, Transaction tx) {
    return n.chain.transaction(tx.id()).join().isPresent();
  }

  @Test
  void aFloodOfGapTransactionsIsNotRelayedAndAnHonestOneStillIsWithWhatItPromoted()
      throws Exception {
    TestNode a = node(0);
    TestNode b = node(1);
    b.connect(a);
    String txs = NodeGossip.txsTopic(TestNode.NETWORK);
    Await.until(() -> !a.router.meshPeers(txs).isEmpty(), Duration.ofSeconds(20), "mesh");
    var to = ChainFixture.Trivial.key(2).address();
    // The flood: gap transactions of a funded sender, as a peer would gossip them to a.
    List<Transaction> gaps = new ArrayList<>();
    for (long nonce = 1; nonce <= 40; nonce++) {
      Transaction gap = ChainFixture.Trivial.tx(ChainFixture.Trivial.key(1), to, 1, 1_000, nonce);
      gaps.add(gap);
      assertThat(a.gossip.validateTransaction(message(ChainCodec.encode(gap), b)).join())
          .isInstanceOf(ValidationResult.Ignore.class);
    }
    // An honest sender: nonce 1 first (queued, not relayed), then nonce 0.
    Transaction h1 = ChainFixture.Trivial.tx(ChainFixture.Trivial.key(0), to, 5, 2, 1);
    Transaction h0 = ChainFixture.Trivial.tx(ChainFixture.Trivial.key(0), to, 5, 2, 0);
    Mempool.Admission q = a.gossip.submitTransaction(h1).get(5, TimeUnit.SECONDS);
    assertThat(q.outcome()).isEqualTo(Mempool.Outcome.QUEUED);
    Mempool.Admission added = a.gossip.submitTransaction(h0).get(5, TimeUnit.SECONDS);
    assertThat(added.outcome()).isEqualTo(Mempool.Outcome.ADDED);
    assertThat(added.promoted()).containsExactly(h1);
    Await.until(
        () -> pending(b, h0) && pending(b, h1), Duration.ofSeconds(20), "h0 and h1 relayed to b");
    assertThat(a.chain.view().mempoolSize()).isEqualTo(2);
    for (Transaction gap : gaps) {
      assertThat(pending(b, gap)).isFalse();
    }
    assertThat(b.gossip.rejected(false)).isZero();
  }
}
