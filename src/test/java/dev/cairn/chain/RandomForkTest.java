package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.InMemoryAccounts;
import dev.cairn.chain.state.StateTransition;
import dev.cairn.chain.store.ChainStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random block trees (branches of fast and slow blocks, so work and length disagree; some
 * blocks invalid against state; some delivered before their parents) imported one by one. After
 * every import the head carries the most work of any valid connected block, the accounts equal an
 * independent replay of the head's branch, and the supply is genesis plus rewards.
 */
@Timeout(120)
class RandomForkTest {
  @TempDir Path dir;

  /** A generated block with what a fresh replay of its branch says about it. */
  record Gen(Block block, Gen parent, boolean valid, InMemoryAccounts after, BigInteger work) {}

  @Test
  void headIsAlwaysTheMostWorkValidBranchAndStateItsReplay() {
    for (long seed : new long[] {1, 2, 3}) {
      run(seed, dir.resolve("s" + seed));
    }
    // The seeds do exercise what the test is about.
    assertThat(outcomes.getOrDefault(ImportResult.Outcome.ORPHANED, 0)).isPositive();
    assertThat(
            outcomes.getOrDefault(ImportResult.Outcome.INVALID, 0)
                + outcomes.getOrDefault(ImportResult.Outcome.INVALID_ANCESTOR, 0))
        .isPositive();
    assertThat(reorgs).isPositive();
  }

  private final Map<ImportResult.Outcome, Integer> outcomes = new HashMap<>();
  private int reorgs;

  private void run(long seed, Path storeDir) {
    Random rnd = new Random(seed);
    Gen genesis =
        new Gen(
            null,
            null,
            true,
            InMemoryAccounts.genesis(PARAMS),
            CompactTarget.work(PARAMS.genesisBits()));
    List<Gen> gens = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      Gen parent =
          gens.isEmpty() || rnd.nextInt(4) == 0
              ? (gens.isEmpty() ? genesis : gens.get(rnd.nextInt(gens.size())))
              : gens.get(gens.size() - 1 - rnd.nextInt(Math.min(3, gens.size())));
      gens.add(child(parent, rnd, genesis));
    }
    // Deliver mostly in order, with some children before their parents.
    List<Gen> order = new ArrayList<>(gens);
    for (int i = 0; i + 1 < order.size(); i++) {
      if (rnd.nextInt(4) == 0) {
        Collections.swap(order, i, i + 1);
      }
    }
    Map<Hash, Gen> byHash = new HashMap<>();
    gens.forEach(g -> byHash.put(g.block().hash(), g));
    try (ChainStore store = ChainStore.open(storeDir, false)) {
      ChainState chain = ChainFixture.open(store);
      chain.subscribe(c -> reorgs += c.isReorg() ? 1 : 0);
      Set<Hash> imported = new HashSet<>();
      for (Gen g : order) {
        // Requested, as sync delivers branches: every valid connected block is stored, so the
        // head must be the best of them. (Unrequested lighter blocks are not stored at all:
        // ChainStateTest and LightBranchTest pin that.)
        outcomes.merge(chain.importBlock(g.block(), "random", true).outcome(), 1, Integer::sum);
        imported.add(g.block().hash());
        BigInteger best = genesis.work();
        for (Gen x : gens) {
          if (imported.contains(x.block().hash())
              && connectedAndValid(x, imported)
              && x.work().compareTo(best) > 0) {
            best = x.work();
          }
        }
        ChainView v = chain.view();
        assertThat(v.cumulativeWork()).as("seed %d", seed).isEqualTo(best);
        Gen head = byHash.getOrDefault(v.headHash(), genesis);
        assertThat(store.allAccounts()).as("seed %d", seed).isEqualTo(head.after().accounts());
        long supply = PARAMS.genesisSupply();
        for (long h = 1; h <= v.height(); h++) {
          supply += PARAMS.reward(h);
        }
        assertThat(head.after().totalSupply()).isEqualTo(supply);
      }
    }
  }

  private static boolean connectedAndValid(Gen g, Set<Hash> imported) {
    for (Gen x = g; x.block() != null; x = x.parent()) {
      if (!x.valid() || !imported.contains(x.block().hash())) {
        return false;
      }
    }
    return true;
  }

  private static Gen child(Gen parent, Random rnd, Gen genesis) {
    long dt = new long[] {300, 1_000, 4_000}[rnd.nextInt(3)];
    List<Transaction> txs = new ArrayList<>();
    boolean makeInvalid = parent.valid() && rnd.nextInt(8) == 0;
    if (parent.valid()) {
      Map<Integer, Long> nonces = new HashMap<>();
      int n = rnd.nextInt(4);
      for (int t = 0; t < n; t++) {
        int from = rnd.nextInt(4);
        long nonce =
            nonces.getOrDefault(
                from, parent.after().account(addr(from)).map(Account::nonce).orElse(0L));
        nonces.put(from, nonce + 1);
        txs.add(
            ChainFixture.tx(
                from, 4 + rnd.nextInt(3), 1 + rnd.nextInt(100), 10 + rnd.nextInt(40), nonce));
      }
      if (makeInvalid) {
        // A replayed or gapped nonce: fine for header and body, refused by the state.
        int from = rnd.nextInt(4);
        long n0 =
            nonces.getOrDefault(from, parent.after().account(addr(from)).orElseThrow().nonce());
        txs.add(ChainFixture.tx(from, 5, 7, 10, n0 > 0 ? n0 - 1 : n0 + 3));
      }
    }
    var header = parent.block() == null ? PARAMS.genesisHeader() : parent.block().header();
    Block b = ChainFixture.mine(header, dt, addr(4 + rnd.nextInt(3)), txs);
    BigInteger work = parent.work().add(CompactTarget.work(b.header().bits()));
    if (!parent.valid()) {
      return new Gen(b, parent, false, null, work);
    }
    ApplyResult r = StateTransition.applyBlock(b, parent.after(), PARAMS);
    if (r instanceof ApplyResult.Applied a) {
      return new Gen(b, parent, true, parent.after().apply(a.delta()), work);
    }
    return new Gen(b, parent, false, null, work);
  }
}
