package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import dev.cairn.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop is quiet: dev nodes on loopback are started and stopped, many times, while they mine
 * (two miners, so blocks race and reorgs re-publish transactions), sync a fresh peer, and gossip
 * blocks and transactions; no part of any node logs a WARN or ERROR meanwhile.
 */
@Timeout(240)
class NodeShutdownTest {
  static final Address MINER_A = key("shutdown miner a").address();
  static final Address MINER_B = key("shutdown miner b").address();

  @TempDir Path tmp;

  static SigningKey key(String seed) {
    return ChainFixture.seededKey(seed);
  }

  Node start(String name, Address mineTo, List<Multiaddr> bootnodes) throws Exception {
    return Node.start(
        NodeConfig.of(
            "dev",
            tmp.resolve(name),
            c -> {
              c.bootnodes = bootnodes;
              c.mineTo(mineTo);
            }));
  }

  @Test
  void stoppingNodesWhileTheyMineSyncAndGossipLogsNoWarning() throws Exception {
    int rounds = 10;
    List<String> stopped = new ArrayList<>();
    try (LogCapture warnings = LogCapture.warnings()) {
      Node miner = start("miner", MINER_A, List.of());
      try {
        for (int round = 0; round < rounds; round++) {
          Node mining = miner;
          Multiaddr boot = mining.p2p().host().fullAddress().orElseThrow();
          long target = mining.chain().view().height() + 3;
          Await.until(
              () -> mining.chain().view().height() >= target,
              Duration.ofSeconds(30),
              "the miner mines");
          // A fresh peer each round: it syncs what the miner has; every other one mines too.
          Node peer = start("peer" + round, round % 2 == 1 ? MINER_B : null, List.of(boot));
          try {
            Await.until(
                () -> peer.chain().view().height() > 0, Duration.ofSeconds(30), "the peer syncs");
            // a transfer the fresh peer pools and publishes: the next nonce in its own state. The
            // payer's transfer of four rounds ago may reach the peer's chain (by sync or gossip)
            // between reading the nonce and submitting: then that nonce is spent; read it again.
            SigningKey payer = key("cairn dev key " + round % 4);
            Mempool.Admission admission = null;
            for (int attempt = 0; attempt < 5; attempt++) {
              long nonce =
                  peer.chain()
                      .account(payer.address())
                      .get(10, TimeUnit.SECONDS)
                      .map(Account::nonce)
                      .orElse(0L);
              Transaction tx =
                  Transaction.signed(
                      payer, miner.params().chainId(), MINER_B, 1_000 + round, 1_000, nonce);
              admission = peer.submitTransaction(tx).get(10, TimeUnit.SECONDS);
              if (admission.reason() != RejectReason.NONCE_REPLAYED) {
                break;
              }
            }
            assertThat(admission.relayable()).as(admission.toString()).isTrue();
          } finally {
            if (round % 2 == 0) {
              peer.close(); // the syncing peer stops first
              stopped.add("peer" + round);
            }
          }
          if (round % 2 == 1) {
            // the miner stops in the middle of mining, serving sync and gossiping; it restarts
            // on its data directory while the peer keeps mining and asking
            miner.close();
            stopped.add("miner");
            miner = start("miner", MINER_A, List.of());
            peer.close();
            stopped.add("peer" + round);
          }
        }
      } finally {
        miner.close();
        stopped.add("miner");
      }
      assertThat(stopped).hasSize(rounds + rounds / 2 + 1);
      assertThat(warnings.lines()).as("WARN and ERROR lines while starting and stopping").isEmpty();
    }
  }
}
