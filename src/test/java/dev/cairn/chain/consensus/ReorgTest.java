package dev.cairn.chain.consensus;

import static dev.cairn.chain.ChainFixture.Trivial.PARAMS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReorgTest {
  final Map<Hash, BlockHeader> known = new HashMap<>();
  final Reorg.Headers headers = h -> Optional.ofNullable(known.get(h));

  List<BlockHeader> branch(BlockHeader from, int length, int minerKey) {
    List<BlockHeader> out = new ArrayList<>();
    BlockHeader parent = from;
    for (int i = 0; i < length; i++) {
      parent =
          ChainFixture.mine(PARAMS, parent, ChainFixture.Trivial.key(minerKey).address(), List.of())
              .header();
      known.put(parent.hash(), parent);
      out.add(parent);
    }
    return out;
  }

  @Test
  void plansUndoToForkPointThenApplyOnTheOtherBranch() {
    BlockHeader g = PARAMS.genesisHeader();
    known.put(g.hash(), g);
    List<BlockHeader> trunk = branch(g, 3, 1);
    List<BlockHeader> a = branch(trunk.get(2), 2, 2);
    List<BlockHeader> b = branch(trunk.get(2), 4, 3);
    Reorg.Result r = Reorg.plan(headers, a.get(1).hash(), b.get(3).hash());
    Reorg plan = ((Reorg.Result.Planned) r).reorg();
    assertThat(plan.forkPoint()).isEqualTo(trunk.get(2).hash());
    assertThat(plan.disconnect()).containsExactly(a.get(1).hash(), a.get(0).hash());
    assertThat(plan.connect())
        .extracting(Hash::hex)
        .containsExactlyElementsOf(b.stream().map(h -> h.hash().hex()).toList());
    // Extending the head is a reorg with nothing to undo.
    Reorg ext =
        ((Reorg.Result.Planned) Reorg.plan(headers, trunk.get(0).hash(), a.get(0).hash())).reorg();
    assertThat(ext.disconnect()).isEmpty();
    assertThat(ext.connect()).hasSize(3);
  }

  @Test
  void plansAReorgOfAnyDepthAndRefusesUnknownHeaders() {
    BlockHeader g = PARAMS.genesisHeader();
    known.put(g.hash(), g);
    List<BlockHeader> a = branch(g, 1_500, 2);
    List<BlockHeader> b = branch(g, 6, 3);
    Reorg deep =
        ((Reorg.Result.Planned) Reorg.plan(headers, a.get(1_499).hash(), b.get(5).hash())).reorg();
    assertThat(deep.forkPoint()).isEqualTo(g.hash());
    assertThat(deep.disconnect()).hasSize(1_500);
    assertThat(deep.connect()).hasSize(6);
    known.remove(b.get(2).hash());
    assertThat(Reorg.plan(headers, a.get(4).hash(), b.get(5).hash()))
        .isEqualTo(new Reorg.Result.Failed(Reorg.Failure.UNKNOWN_HEADER, b.get(2).hash()));
  }
}
