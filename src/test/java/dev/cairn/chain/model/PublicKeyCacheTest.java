package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * {@link PublicKeyCache}: the same verdicts as BouncyCastle's plain check on good, bad and
 * malformed input, cached or not; only keys of valid signatures go in; entry and byte bounds; least
 * recently used out first.
 */
class PublicKeyCacheTest {
  private static final byte[] MESSAGE = "cairn-tx a transfer".getBytes();
  private final Random random = new Random(7);

  private SigningKey key() {
    byte[] seed = new byte[Keys.SEED_SIZE];
    random.nextBytes(seed);
    return SigningKey.fromSeed(seed);
  }

  private static boolean plain(byte[] key, byte[] msg, byte[] sig) {
    return Ed25519.verify(sig, 0, key, 0, msg, 0, msg.length);
  }

  private static byte[] flip(byte[] b, int index) {
    byte[] c = b.clone();
    c[index] ^= 1;
    return c;
  }

  @Test
  void badSignaturesUnderACachedKeyAreRejected() {
    PublicKeyCache cache = new PublicKeyCache(100, Long.MAX_VALUE);
    SigningKey k = key();
    byte[] sig = k.sign(MESSAGE);
    assertThat(cache.verify(k.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(cache.holds(k.publicKey())).isTrue();

    assertThat(cache.verify(k.publicKey(), MESSAGE, flip(sig, 0))).isFalse(); // R
    assertThat(cache.verify(k.publicKey(), MESSAGE, flip(sig, 40))).isFalse(); // S
    assertThat(cache.verify(k.publicKey(), flip(MESSAGE, 3), sig)).isFalse();
    assertThat(cache.verify(k.publicKey(), MESSAGE, key().sign(MESSAGE))).isFalse();
    assertThat(cache.verify(k.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(cache.hits()).isEqualTo(5);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void onlyAKeyWithAValidSignatureGoesIn() {
    PublicKeyCache cache = new PublicKeyCache(100, Long.MAX_VALUE);
    SigningKey k = key();
    assertThat(cache.verify(k.publicKey(), MESSAGE, flip(k.sign(MESSAGE), 5))).isFalse();
    assertThat(cache.holds(k.publicKey())).isFalse();
    byte[] notOnCurve = new byte[32];
    notOnCurve[0] = 2; // y = 2 gives no x on the curve
    assertThat(cache.verify(notOnCurve, MESSAGE, k.sign(MESSAGE))).isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void sameVerdictsAsThePlainCheckCachedOrNot() {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> sigs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      SigningKey k = key();
      keys.add(k.publicKey());
      sigs.add(k.sign(MESSAGE));
    }
    HexFormat hex = HexFormat.of();
    // malformed and small-order keys: the identity, a point of order 2, x = 0 with the sign bit
    // set, y = p (non-canonical zero), y = p + 1 (non-canonical identity), all ones
    for (String h :
        List.of(
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0100000000000000000000000000000000000000000000000000000000000080",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")) {
      keys.add(hex.parseHex(h));
    }
    // signatures: R = identity with S = 0 (valid under a small-order key if nothing rejects it),
    // and an S above the group order
    sigs.add(hex.parseHex("01" + "00".repeat(63)));
    byte[] bigS = sigs.get(0).clone();
    bigS[63] = (byte) 0xff;
    sigs.add(bigS);

    PublicKeyCache cache = new PublicKeyCache(100, Long.MAX_VALUE);
    int agreeing = 0;
    for (int round = 0; round < 2; round++) { // the second round meets the cached keys
      for (byte[] k : keys) {
        for (byte[] s : sigs) {
          for (byte[] m : List.of(MESSAGE, flip(MESSAGE, 0))) {
            assertThat(cache.verify(k, m, s))
                .as("key %s sig %s", hex.formatHex(k), hex.formatHex(s))
                .isEqualTo(plain(k, m, s));
            agreeing++;
          }
        }
      }
    }
    assertThat(agreeing).isEqualTo(2 * 12 * 8 * 2);
    assertThat(cache.size()).isEqualTo(6); // the six real keys, each valid once
    assertThat(cache.hits()).isPositive();
  }

  @Test
  void holdsAtMostItsEntryBoundDroppingTheLeastRecentlyUsed() {
    PublicKeyCache cache = new PublicKeyCache(3, Long.MAX_VALUE);
    List<SigningKey> ks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ks.add(key());
    }
    for (int i = 0; i < 3; i++) {
      assertThat(cache.verify(ks.get(i).publicKey(), MESSAGE, ks.get(i).sign(MESSAGE))).isTrue();
    }
    // use the oldest again: the second becomes the least recently used
    assertThat(cache.verify(ks.get(0).publicKey(), MESSAGE, ks.get(0).sign(MESSAGE))).isTrue();
    assertThat(cache.verify(ks.get(3).publicKey(), MESSAGE, ks.get(3).sign(MESSAGE))).isTrue();
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.holds(ks.get(0).publicKey())).isTrue();
    assertThat(cache.holds(ks.get(1).publicKey())).isFalse();
    assertThat(cache.holds(ks.get(3).publicKey())).isTrue();
  }

  @Test
  void aFloodOfFreshKeysStaysWithinTheByteBoundAndDecodesEachKeyOnce() {
    PublicKeyCache cache = new PublicKeyCache(1_000, 10L * PublicKeyCache.ENTRY_BYTES);
    assertThat(cache.capacity()).isEqualTo(10);
    for (int i = 0; i < 25; i++) {
      SigningKey k = key();
      assertThat(cache.verify(k.publicKey(), MESSAGE, k.sign(MESSAGE))).isTrue();
      assertThat(cache.size()).isLessThanOrEqualTo(10);
    }
    assertThat(cache.size()).isEqualTo(10);
    assertThat(cache.misses()).isEqualTo(25); // one decode per fresh key, as without a cache
    assertThat(cache.hits()).isZero();
  }

  @Test
  void aZeroBoundCachesNothingAndStillVerifies() {
    PublicKeyCache cache = new PublicKeyCache(0, 0);
    SigningKey k = key();
    assertThat(cache.verify(k.publicKey(), MESSAGE, k.sign(MESSAGE))).isTrue();
    assertThat(cache.verify(k.publicKey(), MESSAGE, flip(k.sign(MESSAGE), 1))).isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void keysVerifyUsesTheSharedCache() {
    SigningKey k = key();
    byte[] sig = k.sign(MESSAGE);
    long hits = Keys.KEY_CACHE.hits();
    assertThat(Keys.verify(k.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(Keys.verify(k.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(Keys.verify(k.publicKey(), MESSAGE, flip(sig, 2))).isFalse();
    assertThat(Keys.KEY_CACHE.hits()).isGreaterThanOrEqualTo(hits + 2);
    assertThat(Keys.KEY_CACHE.capacity()).isEqualTo(Keys.KEY_CACHE_ENTRIES);
  }
}
