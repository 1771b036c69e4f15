package dev.cairn.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A compact block is rebuilt with the ids the mempool computed when it took each transaction: the
 * rebuild hashes no pooled transaction. {@link #main} measures what that saves per block.
 */
class CompactRebuildIdsTest {
  static final PeerId ANNOUNCER = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());

  static Block block(List<Transaction> txs) {
    return ChainFixture.mine(
        ChainFixture.Trivial.PARAMS,
        ChainFixture.Trivial.PARAMS.genesisHeader(),
        ChainFixture.Trivial.key(5).address(),
        txs);
  }

  /** Serves {@code block_txs} from {@code block}, recording the indexes asked for. */
  static CompactRelay.Fetcher serving(Block block, List<int[]> asked) {
    return new CompactRelay.Fetcher() {
      @Override
      public List<Transaction> blockTxs(PeerId peer, Hash hash, int[] indexes) {
        asked.add(indexes.clone());
        List<Transaction> out = new ArrayList<>();
        for (int i : indexes) {
          out.add(block.transactions().get(i));
        }
        return out;
      }

      @Override
      public List<Block> blocksByHash(PeerId peer, List<Hash> hashes) {
        return List.of(block);
      }
    };
  }

  static CompactRelay relay(CompactRelay.Pool pool, CompactRelay.Fetcher fetcher) {
    return new CompactRelay(pool, fetcher, (p, points, why) -> {}, List::of, System::nanoTime);
  }

  @Test
  void theRebuildMatchesPooledTransactionsByTheIdsThePoolGaveNotByHashingThem() throws Exception {
    List<Transaction> txs = ChainFixture.Trivial.junkTransactions(new Random(1), 5);
    Block block = block(txs);
    CompactBlock compact = CompactBlock.of(block);
    // Transaction 4 sits in the pool under an id that is not its own: a relay that trusts the
    // pool's ids cannot match it and fetches it; one that hashed it would have found it.
    Map<Hash, Transaction> pooled = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      pooled.put(txs.get(i).id(), txs.get(i));
    }
    pooled.put(Hash.sha256("not its id".getBytes(StandardCharsets.UTF_8)), txs.get(4));
    List<int[]> asked = new ArrayList<>();
    CompactRelay r = relay(pooled::entrySet, serving(block, asked));

    var got = r.obtain(compact, ANNOUNCER).orElseThrow();

    assertThat(got.block().hash()).isEqualTo(block.hash());
    assertThat(got.faithful()).isTrue();
    assertThat(r.stats().fromPool()).isEqualTo(4);
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0)).containsExactly(4);
    assertThat(r.stats().fullBlocks()).isZero();
  }

  /**
   * CPU time of one rebuild of a {@code blockTxs}-transaction block from a {@code poolTxs} mempool
   * with the pool's cached ids (the pool's copy of its list included), beside the CPU time of
   * hashing every pooled transaction once, which each rebuild did before on top: {@code java -cp
   * target/classes:target/test-classes:<deps> dev.cairn.node.gossip.CompactRebuildIdsTest [poolTxs
   * blockTxs rounds]}.
   */
  public static void main(String[] args) throws Exception {
    int poolTxs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int blockTxs = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    List<Transaction> txs = ChainFixture.Trivial.junkTransactions(new Random(2), poolTxs);
    Block block = block(txs.subList(0, blockTxs));
    CompactBlock compact = CompactBlock.of(block);
    Map<Hash, Transaction> cached = new HashMap<>();
    for (Transaction tx : txs) {
      cached.put(tx.id(), tx);
    }
    // the pool hands over a list of (id, transaction), as the mempool does
    CompactRelay withIds =
        relay(() -> new ArrayList<>(cached.entrySet()), CompactRelay.Fetcher.none());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int run = 0; run < 5; run++) {
      long[] rebuild = new long[rounds];
      long[] hashing = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        long t0 = cpu.getCurrentThreadCpuTime();
        withIds.obtain(compact, ANNOUNCER).orElseThrow();
        long t1 = cpu.getCurrentThreadCpuTime();
        for (Transaction tx : txs) {
          sink += tx.id().hashCode();
        }
        long t2 = cpu.getCurrentThreadCpuTime();
        rebuild[i] = t1 - t0;
        hashing[i] = t2 - t1;
      }
      Arrays.sort(rebuild);
      Arrays.sort(hashing);
      System.out.printf(
          Locale.ROOT,
          "run %d: pool %d, block %d: rebuild with cached ids %.2f ms;"
              + " hashing the pool (before: each rebuild) %.2f ms (median CPU of %d)%n",
          run,
          poolTxs,
          blockTxs,
          rebuild[rounds / 2] / 1e6,
          hashing[rounds / 2] / 1e6,
          rounds);
    }
    System.out.println(sink == 42 ? "" : "done");
  }
}
