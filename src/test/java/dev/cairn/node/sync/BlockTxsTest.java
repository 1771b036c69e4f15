package dev.cairn.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.protocol.CairnProtocols;
import dev.cairn.node.sync.SyncMessage.BlockTxs;
import dev.cairn.node.sync.pb.SyncProtos;
import dev.cairn.p2p.reqresp.ReqRespConfig;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /cairn/<network>/req/block_txs/1}: bounds of the request and answer, and serving. */
@Timeout(60)
class BlockTxsTest {
  @TempDir Path dir;
  private final TestNet net = TestNet.memory();

  @AfterEach
  void close() {
    net.close();
  }

  private static byte[] request(Hash block, long... indexes) {
    SyncProtos.BlockTxs.Builder b =
        SyncProtos.BlockTxs.newBuilder()
            .setBlockHash(com.google.protobuf.ByteString.copyFrom(block.bytes()));
    for (long i : indexes) {
      b.addIndexes((int) i);
    }
    return b.build().toByteArray();
  }

  @Test
  void requestsAreBoundedAscendingAndWithinABlocksTransactions() throws Exception {
    Hash h = Hash.sha256(new byte[] {1});
    long[] all = new long[Limits.MAX_TRANSACTIONS];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    byte[] largest = request(h, all);
    assertThat(largest.length).isLessThanOrEqualTo(SyncRpc.MAX_BLOCK_TXS_REQUEST);
    assertThat(SyncCodec.decodeBlockTxs(largest).indexes()).hasSize(Limits.MAX_TRANSACTIONS);
    BlockTxs r = SyncCodec.decodeBlockTxs(SyncCodec.encode(new BlockTxs(h, new int[] {0, 5, 9})));
    assertThat(r.block()).isEqualTo(h);
    assertThat(r.indexes()).containsExactly(0, 5, 9);

    long[] tooMany = new long[Limits.MAX_TRANSACTIONS + 1];
    for (int i = 0; i < tooMany.length; i++) {
      tooMany[i] = i;
    }
    for (byte[] bad :
        List.of(
            request(h),
            request(h, tooMany),
            request(h, 3, 3),
            request(h, 5, 4),
            request(h, Limits.MAX_TRANSACTIONS),
            request(h, 0xffffffffL),
            SyncProtos.BlockTxs.newBuilder().addIndexes(1).build().toByteArray())) {
      assertThatThrownBy(() -> SyncCodec.decodeBlockTxs(bad))
          .isInstanceOf(InvalidMessageException.class);
    }
  }

  @Test
  void theProtocolsLimitsHoldOneBlocksTransactionsAtMost() {
    ReqRespConfig c =
        SyncRpc.configs("unit", SyncConfig.defaults()).stream()
            .filter(x -> x.protocolId().equals(CairnProtocols.of("unit").request("block_txs")))
            .findFirst()
            .orElseThrow();
    assertThat(c.maxRequestBytes()).isEqualTo(SyncRpc.MAX_BLOCK_TXS_REQUEST);
    assertThat(c.maxChunkBytes()).isEqualTo(Limits.TRANSACTION_BYTES);
    assertThat(c.maxChunks()).isEqualTo(Limits.MAX_TRANSACTIONS);
    assertThat(c.maxResponseBytes())
        .isEqualTo((long) Limits.MAX_TRANSACTIONS * Limits.TRANSACTION_BYTES);
  }

  @Test
  void servesTheTransactionsAskedForAndRefusesIndexesPastTheBlock() throws Exception {
    TestNode a =
        net.own(
            TestNode.start(
                net.transport(), dir.resolve("a"), 1, ChainFixture.Trivial.PARAMS, TestNode.SYNC));
    TestNode b =
        net.own(
            TestNode.start(
                net.transport(), dir.resolve("b"), 2, ChainFixture.Trivial.PARAMS, TestNode.SYNC));
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      txs.add(
          ChainFixture.Trivial.tx(
              ChainFixture.Trivial.key(0), ChainFixture.Trivial.key(1).address(), 1 + i, 1, i));
    }
    Block block = ChainFixture.Trivial.mineOnGenesis(ChainFixture.Trivial.key(5).address(), txs);
    a.importAll(List.of(block));
    b.connect(a);
    Await.until(() -> b.p2p.host().isConnected(a.id()), "connected");
    SyncRpc rpc = b.sync.rpc();
    assertThat(rpc.blockTxs(a.id(), block.hash(), new int[] {1, 4}))
        .containsExactly(txs.get(1), txs.get(4));
    assertThatThrownBy(() -> rpc.blockTxs(a.id(), block.hash(), new int[] {5}))
        .isInstanceOf(SyncFailure.class);
    assertThatThrownBy(() -> rpc.blockTxs(a.id(), Hash.sha256(new byte[] {9}), new int[] {0}))
        .isInstanceOf(SyncFailure.class)
        .extracting(e -> ((SyncFailure) e).kind())
        .isEqualTo(SyncFailure.Kind.UNAVAILABLE);
  }
}
