package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ForkChoiceTest {
  static Hash h(int i) {
    return Hash.sha256(new byte[] {(byte) i});
  }

  @Test
  void moreWorkWinsOverMoreBlocks() {
    // Ten easy blocks against three hard ones.
    ChainTip longEasy =
        new ChainTip(h(1), 10, BigInteger.valueOf(10).multiply(CompactTarget.work(0x207fffff)));
    ChainTip shortHard =
        new ChainTip(h(2), 3, BigInteger.valueOf(3).multiply(CompactTarget.work(0x1f00ffff)));
    assertThat(ForkChoice.prefers(shortHard, longEasy)).isTrue();
    assertThat(ForkChoice.prefers(longEasy, shortHard)).isFalse();
    assertThat(ForkChoice.ORDER.compare(shortHard, longEasy)).isPositive();
  }

  @Test
  void equalWorkKeepsTheCurrentHead() {
    ChainTip a = new ChainTip(h(1), 5, BigInteger.TEN);
    ChainTip b = new ChainTip(h(2), 5, BigInteger.TEN);
    assertThat(ForkChoice.prefers(a, b)).isFalse();
    assertThat(ForkChoice.prefers(b, a)).isFalse();
    List<ChainTip> tips = new ArrayList<>(List.of(a, b));
    tips.sort(ForkChoice.ORDER);
    List<ChainTip> again = new ArrayList<>(List.of(b, a));
    again.sort(ForkChoice.ORDER);
    assertThat(tips).isEqualTo(again);
  }

  @Test
  void extendAddsTheChildsWork() {
    NetworkParams p = dev.cairn.chain.ChainFixture.Trivial.PARAMS;
    ChainTip g = ChainTip.genesis(p);
    assertThat(g.cumulativeWork()).isEqualTo(BigInteger.TWO);
    var child =
        dev.cairn.chain.ChainFixture.mine(
            p, p.genesisHeader(), dev.cairn.chain.ChainFixture.Trivial.key(1).address(), List.of());
    ChainTip t = g.extend(child.header());
    assertThat(t.height()).isEqualTo(1);
    assertThat(t.cumulativeWork()).isEqualTo(BigInteger.valueOf(4));
  }
}
