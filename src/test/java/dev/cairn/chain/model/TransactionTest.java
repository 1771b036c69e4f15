package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * What {@link Transaction} remembers (its id and sender, each hashed once) is what a fresh
 * computation gives; equality still covers every field; {@link Hash#newSha256} starts empty.
 */
class TransactionTest {
  @Test
  void idAndSenderAreComputedOnceAndMatchAFreshComputation() {
    Transaction tx = ChainFixture.tx(0, 1, 10, 1, 0);
    Hash id = tx.id();
    assertThat(tx.id()).isSameAs(id);
    assertThat(id).isEqualTo(Hash.sha256(ChainCodec.encode(tx)));
    Address sender = tx.sender();
    assertThat(tx.sender()).isSameAs(sender);
    assertThat(sender).isEqualTo(Address.fromPublicKey(tx.senderKey()));
  }

  @Test
  void aCopyWithAnotherSignatureHasItsOwnId() {
    Transaction tx = ChainFixture.tx(0, 1, 10, 1, 0);
    Hash id = tx.id();
    byte[] sig = tx.signature();
    sig[10] ^= 1;
    Transaction other = tx.withSignature(sig);
    assertThat(other.id()).isNotEqualTo(id).isEqualTo(Hash.sha256(ChainCodec.encode(other)));
    assertThat(other).isNotEqualTo(tx);
    assertThat(other.hasValidSignature()).isFalse();
    assertThat(tx.hasValidSignature()).isTrue();
  }

  @Test
  void equalityCoversEveryField() throws DecodeException {
    Transaction tx = ChainFixture.tx(0, 1, 10, 1, 0);
    tx.id(); // a remembered id must not affect equality
    Transaction same = ChainCodec.decodeTransaction(ChainCodec.encode(tx));
    assertThat(same).isEqualTo(tx).hasSameHashCodeAs(tx);
    byte[] enc = ChainCodec.encode(tx);
    for (int i = 0; i < enc.length; i++) {
      byte[] changed = enc.clone();
      changed[i] ^= 0x40;
      if (i == 0) {
        continue; // the version byte: not a field
      }
      Transaction t;
      try {
        t = ChainCodec.decodeTransaction(changed);
      } catch (DecodeException e) {
        continue;
      }
      assertThat(t).as("byte %d", i).isNotEqualTo(tx);
    }
  }

  @Test
  void newSha256StartsEmptyEveryTime() throws Exception {
    MessageDigest first = Hash.newSha256();
    first.update(new byte[] {1, 2, 3});
    MessageDigest second = Hash.newSha256();
    assertThat(second).isNotSameAs(first);
    assertThat(second.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
    assertThat(first.digest())
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
  }
}
