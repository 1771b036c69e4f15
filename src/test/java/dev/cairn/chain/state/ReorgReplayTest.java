package dev.cairn.chain.state;

import static dev.cairn.chain.ChainFixture.Trivial.PARAMS;
import static dev.cairn.chain.ChainFixture.Trivial.key;
import static dev.cairn.chain.ChainFixture.Trivial.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.ChainTip;
import dev.cairn.chain.consensus.ForkChoice;
import dev.cairn.chain.consensus.Reorg;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pieces compose the way the chain owner will use them: two competing branches that spend the
 * same coins differently; switching heads by {@link Reorg#plan} with stored undo records back and
 * forth always leaves the state a fresh replay of the winning branch would give.
 */
@Timeout(60)
class ReorgReplayTest {
  final Map<Hash, Block> blocks = new HashMap<>();
  final Map<Hash, Undo> undos = new HashMap<>();
  final Map<Hash, ChainTip> tips = new HashMap<>();
  final InMemoryAccounts genesisState = InMemoryAccounts.genesis(PARAMS);

  List<Block> branch(BlockHeader from, int miner, List<List<Transaction>> txs) {
    List<Block> out = new ArrayList<>();
    BlockHeader parent = from;
    for (List<Transaction> t : txs) {
      Block b = ChainFixture.mine(PARAMS, parent, key(miner).address(), t);
      blocks.put(b.hash(), b);
      tips.put(b.hash(), tips.get(parent.hash()).extend(b.header()));
      out.add(b);
      parent = b.header();
    }
    return out;
  }

  InMemoryAccounts replay(List<Block> chain) {
    InMemoryAccounts s = genesisState;
    for (Block b : chain) {
      s = s.apply(((ApplyResult.Applied) StateTransition.applyBlock(b, s, PARAMS)).delta());
    }
    return s;
  }

  InMemoryAccounts switchTo(InMemoryAccounts state, Hash head, Hash target) {
    Reorg.Headers headers =
        h ->
            h.equals(PARAMS.genesisHeader().hash())
                ? Optional.of(PARAMS.genesisHeader())
                : Optional.ofNullable(blocks.get(h)).map(Block::header);
    Reorg plan = ((Reorg.Result.Planned) Reorg.plan(headers, head, target)).reorg();
    for (Hash h : plan.disconnect()) {
      state = state.revert(undos.get(h));
    }
    for (Hash h : plan.connect()) {
      ApplyResult.Applied a =
          (ApplyResult.Applied) StateTransition.applyBlock(blocks.get(h), state, PARAMS);
      undos.put(h, a.undo());
      state = state.apply(a.delta());
    }
    return state;
  }

  @Test
  void switchingBranchesBackAndForthEqualsAFreshReplay() {
    BlockHeader g = PARAMS.genesisHeader();
    tips.put(g.hash(), ChainTip.genesis(PARAMS));
    // Branch A: alice pays bob in block 1; branch B: the same nonce pays carol (a double spend).
    List<Block> a =
        branch(g, 5, List.of(List.of(tx(key(0), key(1).address(), 500, 3, 0)), List.of()));
    List<Block> b =
        branch(
            g,
            6,
            List.of(
                List.of(tx(key(0), key(2).address(), 700, 4, 0)),
                List.of(tx(key(2), key(1).address(), 100, 1, 0)),
                List.of()));
    ChainTip tipA = tips.get(a.get(1).hash());
    ChainTip tipB = tips.get(b.get(2).hash());
    assertThat(ForkChoice.prefers(tipB, tipA)).isTrue();

    InMemoryAccounts state = switchTo(genesisState, g.hash(), a.get(1).hash());
    assertThat(state).isEqualTo(replay(a));
    state = switchTo(state, a.get(1).hash(), b.get(2).hash());
    assertThat(state).isEqualTo(replay(b));
    // A grows past B again (more work): switch back.
    List<Block> a2 = branch(a.get(1).header(), 5, List.of(List.of(), List.of()));
    List<Block> longA = new ArrayList<>(a);
    longA.addAll(a2);
    assertThat(ForkChoice.prefers(tips.get(a2.get(1).hash()), tipB)).isTrue();
    state = switchTo(state, b.get(2).hash(), a2.get(1).hash());
    assertThat(state).isEqualTo(replay(longA));
    assertThat(state.totalSupply()).isEqualTo(PARAMS.genesisSupply() + 4 * PARAMS.reward(1));
    // Back to genesis undoes everything.
    assertThat(switchTo(state, a2.get(1).hash(), g.hash())).isEqualTo(genesisState);
  }
}
