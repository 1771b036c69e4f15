package dev.cairn.p2p.kad;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded peer ids for kad tests. */
final class KadTestSupport {
  private KadTestSupport() {}

  static PeerId peer(long seed) {
    byte[] key = new byte[32];
    new Random(seed).nextBytes(key);
    return PeerId.fromPublicKey(Ed25519PrivateKey.fromSeed(key).publicKey());
  }

  static List<PeerId> peers(int n, long seed) {
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(peer(seed * 1_000_003L + i));
    }
    return out;
  }

  /** {@code n} seeded peers that all land in {@code self}'s bucket 0 (their first bit differs). */
  static List<PeerId> bucketZero(PeerId self, int n) {
    KadKey me = KadKey.of(self);
    List<PeerId> out = new ArrayList<>();
    for (long s = 1; out.size() < n; s++) {
      PeerId p = peer(s);
      if (me.commonPrefixLength(KadKey.of(p)) == 0) {
        out.add(p);
      }
    }
    return out;
  }

  /** The true {@code k} closest of {@code all} to {@code key}, by brute force. */
  static List<PeerId> trueClosest(List<PeerId> all, byte[] key, int k) {
    KadKey t = KadKey.of(key);
    return all.stream()
        .sorted((a, b) -> t.distance(KadKey.of(a)).compareTo(t.distance(KadKey.of(b))))
        .limit(k)
        .toList();
  }
}
