package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code WalletExample} and {@code SyncingNode} as the README runs them, against a mining {@code
 * cairn node} process: the transfer is mined, then a fresh node syncs to the miner's height.
 */
@Timeout(90)
class WalletAndSyncExampleIT {
  @TempDir Path tmp;
  private ChildProcess miner;

  @AfterEach
  void stop() {
    if (miner != null) {
      miner.stop();
    }
  }

  @Test
  void aTransferIsMinedAndAFreshNodeSyncsFromTheMiner() throws Exception {
    miner =
        ChildProcess.jarMain(
                "dev.cairn.node.cli.Main",
                "node",
                "--listen",
                "/ip4/127.0.0.2/tcp/0",
                "--data-dir",
                tmp.resolve("miner").toString(),
                "--api",
                "127.0.0.2:0",
                "--mine",
                "--miner-address",
                "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp")
            .start();
    String addr = miner.await(Pattern.compile("Listening on (\\S+)"), Duration.ofSeconds(30));
    String api =
        miner.await(Pattern.compile("API listening on (http://\\S+)"), Duration.ofSeconds(30));

    ChildProcess wallet =
        ChildProcess.jarMain("dev.cairn.examples.WalletExample", "--node", api, "--timeout", "30")
            .start();
    assertThat(wallet.exitCode(Duration.ofSeconds(40))).as(wallet.toString()).isZero();
    assertThat(wallet.toString())
        .contains("HTTP 202 added")
        .containsPattern("included in block [0-9a-f]{64} at height \\d+")
        .contains("payee balance 150000000 units (1.50000000 coins)");

    ChildProcess sync =
        ChildProcess.jarMain(
                "dev.cairn.examples.SyncingNode",
                addr,
                "--listen",
                "/ip4/127.0.0.3/tcp/0",
                "--timeout",
                "30")
            .start();
    assertThat(sync.exitCode(Duration.ofSeconds(40))).as(sync.toString()).isZero();
    assertThat(sync.toString())
        .containsPattern("peer is at height \\d+")
        .contains("synced: height");
  }
}
