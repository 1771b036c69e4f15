package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProofOfWorkTest {
  final BlockHeader base =
      new BlockHeader(
          1,
          1,
          Hash.sha256(new byte[] {1}),
          Hash.ZERO,
          ChainFixture.Trivial.key(0).address(),
          ChainFixture.Trivial.T0,
          0x1f00ffff,
          0);

  @Test
  void searchFindsTheFirstNonceWhoseFullHashMeetsTheTarget() {
    OptionalLong found = ProofOfWork.search(base.prefix(), base.bits(), 0, 10_000_000);
    assertThat(found).isPresent();
    long n = found.getAsLong();
    assertThat(ProofOfWork.meetsTarget(base.withNonce(n))).isTrue();
    for (long k = 0; k < n; k++) {
      assertThat(ProofOfWork.meetsTarget(base.withNonce(k))).isFalse();
    }
    // Search from just after: a different (later) nonce.
    OptionalLong next = ProofOfWork.search(base.prefix(), base.bits(), n + 1, 10_000_000);
    assertThat(next.getAsLong()).isGreaterThan(n);
  }

  @Test
  void searchGivesUpAfterCountAndHandlesWrap() {
    assertThat(ProofOfWork.search(base.prefix(), 0x03000001, 0, 1000)).isEmpty();
    BlockHeader easy = base.withBits(0x207fffff);
    OptionalLong wrap = ProofOfWork.search(easy.prefix(), easy.bits(), -2, 100);
    assertThat(wrap).isPresent();
    assertThat(ProofOfWork.meetsTarget(easy.withNonce(wrap.getAsLong()))).isTrue();
  }
}
