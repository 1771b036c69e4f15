package dev.cairn.chain;

import static dev.cairn.chain.ChainFixture.MINER;
import static dev.cairn.chain.ChainFixture.PARAMS;
import static dev.cairn.chain.ChainFixture.addr;
import static dev.cairn.chain.ChainFixture.branch;
import static dev.cairn.chain.ChainFixture.genesis;
import static dev.cairn.chain.ChainFixture.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which thread pays for a transaction's signature, and what an unfunded sender can make the chain
 * owner do (t2-A item 6): nothing but a database read off the owner thread.
 */
@Timeout(60)
class TransactionAdmissionTest {
  @TempDir Path dir;

  /** The threads the signature verifier ran on, one entry per verification. */
  final ConcurrentLinkedQueue<String> verifiedOn = new ConcurrentLinkedQueue<>();

  final Predicate<Transaction> countingVerifier =
      t -> {
        verifiedOn.add(Thread.currentThread().getName());
        return t.hasValidSignature();
      };

  ChainService start(ChainConfig config) {
    return ChainFixture.startService(dir, config, countingVerifier);
  }

  static SigningKey unfunded(int i) {
    return SigningKey.fromSeed(
        Hash.sha256(("unfunded " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
  }

  static Transaction fromUnfunded(int i) {
    return Transaction.signed(unfunded(i), PARAMS.chainId(), addr(4), 10, 10, 0);
  }

  @Test
  void theOwnerThreadNeverVerifiesATransactionSignature() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      Transaction local = tx(0, 4, 10, 10, 0);
      Transaction gossiped = tx(1, 4, 10, 10, 0);
      Transaction forged = tx(2, 4, 10, 10, 0).withSignature(new byte[64]);
      assertThat(chain.submitTransaction(local).get(5, TimeUnit.SECONDS).outcome())
          .isEqualTo(Mempool.Outcome.ADDED);
      CompletableFuture<Mempool.Admission> g = new CompletableFuture<>();
      CompletableFuture<Mempool.Admission> f = new CompletableFuture<>();
      Thread.ofVirtual()
          .name("gossip-worker")
          .start(
              () -> {
                g.complete(chain.offerTransaction(gossiped, "peer").join());
                f.complete(chain.offerTransaction(forged, "peer").join());
              })
          .join();
      assertThat(g.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Mempool.Outcome.ADDED);
      assertThat(f.get(5, TimeUnit.SECONDS).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
      // a block carrying transactions (their signatures are the block's business, not the pool's)
      Block b = ChainFixture.mine(genesis(), 1_000, MINER, List.of(tx(3, 4, 10, 10, 0)));
      chain.importBlock(b, "test").get(5, TimeUnit.SECONDS);
      assertThat(chain.view().mempoolSize()).isEqualTo(2);
      assertThat(verifiedOn).hasSize(3).doesNotContain("chain-owner");
      assertThat(verifiedOn).contains("gossip-worker");
    }
  }

  @Test
  void anUnfundedSendersWellSignedTransactionIsRefusedBeforeItsSignatureIsChecked()
      throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      Transaction t = fromUnfunded(1);
      assertThat(t.hasValidSignature()).isTrue();
      assertThat(chain.offerTransaction(t, "peer").get(5, TimeUnit.SECONDS).reason())
          .isEqualTo(RejectReason.UNKNOWN_SENDER);
      assertThat(chain.submitTransaction(t).get(5, TimeUnit.SECONDS).reason())
          .isEqualTo(RejectReason.UNKNOWN_SENDER);
      // a funded sender asking for more than it holds: refused before the signature too
      assertThat(
              chain.offerTransaction(tx(0, 4, 5_000_000, 10, 0), "peer").get(5, TimeUnit.SECONDS))
          .extracting(Mempool.Admission::reason)
          .isEqualTo(RejectReason.INSUFFICIENT_BALANCE);
      assertThat(verifiedOn).isEmpty();
    }
  }

  @Test
  void aFloodFromUnfundedSendersNeverTakesTheMailboxFromAnHonestTransaction() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults().with(ChainConfig::mailboxCapacity, 4))) {
      // A test-only listener that holds the owner thread, so nothing leaves the mailbox.
      ChainFixture.OwnerHold hold = ChainFixture.OwnerHold.subscribe(chain);
      CompletableFuture<ImportResult> held =
          chain.importBlock(branch(genesis(), 1, 1_000, MINER).get(0), "local");
      assertThat(hold.entered().await(10, TimeUnit.SECONDS)).isTrue();
      List<CompletableFuture<Mempool.Admission>> flood = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        flood.add(chain.offerTransaction(fromUnfunded(i), "attacker"));
      }
      for (CompletableFuture<Mempool.Admission> a : flood) {
        assertThat(a.getNow(null)).isNotNull();
        assertThat(a.getNow(null).reason()).isEqualTo(RejectReason.UNKNOWN_SENDER);
      }
      CompletableFuture<Mempool.Admission> honest =
          chain.offerTransaction(tx(0, 4, 10, 10, 0), "honest peer");
      assertThat(honest.getNow(null)).isNull(); // queued for the owner, not BUSY
      hold.release().countDown();
      assertThat(held.get(5, TimeUnit.SECONDS).imported()).isTrue();
      assertThat(honest.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Mempool.Outcome.ADDED);
      assertThat(verifiedOn).hasSize(1);
    }
  }

  @Test
  void aBlockOfAdmittedTransactionsVerifiesNoSignatureAgain() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      List<Transaction> txs =
          List.of(tx(0, 4, 10, 10, 0), tx(0, 4, 10, 10, 1), tx(1, 4, 10, 10, 0));
      assertThat(chain.submitTransaction(txs.get(0)).get(5, TimeUnit.SECONDS).accepted()).isTrue();
      for (Transaction t : txs.subList(1, 3)) {
        assertThat(chain.offerTransaction(t, "peer").get(5, TimeUnit.SECONDS).accepted()).isTrue();
      }
      assertThat(verifiedOn).hasSize(3);
      assertThat(chain.signatures().verifications()).isEqualTo(3);
      assertThat(chain.signatures().hits()).isZero();

      Block b = ChainFixture.mine(genesis(), 1_000, MINER, txs);
      assertThat(chain.importBlock(b, "test").get(5, TimeUnit.SECONDS).imported()).isTrue();

      assertThat(chain.signatures().verifications()).as("none verified again").isEqualTo(3);
      assertThat(chain.signatures().hits()).isEqualTo(3);
      assertThat(verifiedOn).hasSize(3);
      assertThat(chain.view().mempoolSize()).isZero();
    }
  }

  @Test
  void aBadSignatureOfferedToThePoolIsNeverRememberedAndItsBlockIsRejected() throws Exception {
    try (ChainService chain = start(ChainConfig.defaults())) {
      Transaction good = tx(0, 4, 10, 10, 0);
      byte[] sig = good.signature();
      sig[7] ^= 1;
      Transaction forged = good.withSignature(sig); // same transfer, same signing message
      for (int i = 0; i < 2; i++) {
        assertThat(chain.offerTransaction(forged, "attacker").get(5, TimeUnit.SECONDS).reason())
            .isEqualTo(RejectReason.BAD_SIGNATURE);
      }
      assertThat(chain.signatures().verifications()).as("checked each time").isEqualTo(2);
      assertThat(chain.signatures().size()).isZero();
      // the honest transfer is admitted (and cached); the forged one still is not good
      assertThat(chain.offerTransaction(good, "peer").get(5, TimeUnit.SECONDS).accepted()).isTrue();
      assertThat(chain.signatures().size()).isEqualTo(1);

      Block b = ChainFixture.mine(genesis(), 1_000, MINER, List.of(forged));
      ImportResult r = chain.importBlock(b, "attacker").get(5, TimeUnit.SECONDS);

      assertThat(r.outcome()).isEqualTo(ImportResult.Outcome.INVALID);
      assertThat(r.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
      assertThat(chain.signatures().hits()).isZero();
      assertThat(chain.signatures().size()).isEqualTo(1);
    }
  }
}
