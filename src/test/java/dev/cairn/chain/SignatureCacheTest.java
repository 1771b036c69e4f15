package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Transaction;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounds of {@link SignatureCache}: entries, bytes, oldest out first. */
class SignatureCacheTest {
  final AtomicInteger verified = new AtomicInteger();

  SignatureCache cache(int maxEntries, long maxBytes) {
    return new SignatureCache(
        t -> {
          verified.incrementAndGet();
          return t.hasValidSignature();
        },
        maxEntries,
        maxBytes);
  }

  @Test
  void holdsAtMostItsEntryBoundAndForgetsTheOldestFirst() {
    SignatureCache c = cache(3, Long.MAX_VALUE);
    for (int n = 0; n < 5; n++) {
      assertThat(c.verify(tx(0, 1, 10, 1, n))).isTrue();
    }
    assertThat(c.size()).isEqualTo(3);
    assertThat(c.verify(tx(0, 1, 10, 1, 4))).isTrue(); // newest: a hit
    assertThat(verified).hasValue(5);
    assertThat(c.verify(tx(0, 1, 10, 1, 0))).isTrue(); // oldest: evicted, verified again
    assertThat(verified).hasValue(6);
    assertThat(c.hits()).isEqualTo(1);
  }

  @Test
  void holdsAtMostItsByteBound() {
    SignatureCache c = cache(1_000, 2L * SignatureCache.ENTRY_BYTES);
    for (int n = 0; n < 10; n++) {
      c.verify(tx(0, 1, 10, 1, n));
    }
    assertThat(c.capacity()).isEqualTo(2);
    assertThat(c.size()).isEqualTo(2);
  }

  @Test
  void aBadSignatureIsNeverRemembered() {
    SignatureCache c = cache(10, 1L << 20);
    Transaction good = tx(0, 1, 10, 1, 0);
    byte[] sig = good.signature();
    sig[63] ^= 0x10;
    Transaction bad = good.withSignature(sig);
    assertThat(c.verify(bad)).isFalse();
    assertThat(c.verify(bad)).isFalse();
    assertThat(verified).hasValue(2);
    assertThat(c.size()).isZero();
  }

  @Test
  void anAdmissionChecksSuccessIsRememberedWithinTheBoundsAndItsFailureIsNot() {
    SignatureCache c = cache(3, Long.MAX_VALUE);
    AtomicInteger admissionChecks = new AtomicInteger();
    java.util.function.Predicate<Transaction> admission =
        t -> {
          admissionChecks.incrementAndGet();
          return t.hasValidSignature();
        };
    for (int n = 0; n < 5; n++) {
      assertThat(c.verify(tx(0, 1, 10, 1, n), admission)).isTrue();
    }
    assertThat(c.size()).isEqualTo(3); // the entry bound holds for what admission adds
    assertThat(c.verify(tx(0, 1, 10, 1, 4))).isTrue(); // the block path: a hit
    assertThat(verified).hasValue(0);
    assertThat(admissionChecks).hasValue(5);

    Transaction good = tx(0, 1, 10, 1, 9);
    byte[] sig = good.signature();
    sig[0] ^= 1;
    Transaction bad = good.withSignature(sig);
    assertThat(c.verify(bad, admission)).isFalse();
    assertThat(c.verify(bad)).as("the block path checks it itself").isFalse();
    assertThat(verified).hasValue(1);
    assertThat(c.size()).isEqualTo(3);
  }
}
