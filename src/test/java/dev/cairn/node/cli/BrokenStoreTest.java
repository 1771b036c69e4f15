package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose chain store is truncated or corrupted refuses to start with one clear line and exit
 * code 1: it does not serve a damaged chain, and it does not print a stack trace.
 */
@Timeout(60)
class BrokenStoreTest {
  @TempDir Path tmp;

  /** A dev store with a few blocks in {@code <tmp>/chain}, closed. */
  private Path store() throws Exception {
    NetworkParams dev = GenesisFile.load("dev");
    Path dir = tmp.resolve("chain");
    try (ChainService chain =
        ChainService.start(dev, ChainConfig.defaults(), dir, Clock.systemUTC())) {
      BlockHeader parent = dev.genesisHeader();
      for (int i = 0; i < 3; i++) {
        Block b =
            ChainFixture.mine(
                dev,
                parent,
                ChainFixture.Trivial.key(1).address(),
                List.of(),
                parent.timestamp() + 60_000);
        assertThat(chain.importBlock(b, "test").get(10, TimeUnit.SECONDS).imported()).isTrue();
        parent = b.header();
      }
    }
    return dir;
  }

  private static Path only(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + prefix + "* in " + dir));
    }
  }

  private String startNode() {
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(Map.of())
            .setErr(new PrintWriter(err))
            .execute(
                "node",
                "--data-dir",
                tmp.toString(),
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--api",
                "off");
    assertThat(code).as(err.toString()).isEqualTo(1);
    return err.toString();
  }

  private static void assertOneClearLine(String err) {
    assertThat(err).startsWith("cairn: ").contains("chain store").doesNotContain("\tat ");
    assertThat(err.strip().lines()).hasSize(1);
  }

  @Test
  void aTruncatedStoreIsRefusedWithOneLine() throws Exception {
    Path dir = store();
    Path manifest = only(dir, "MANIFEST-");
    try (RandomAccessFile f = new RandomAccessFile(manifest.toFile(), "rw")) {
      f.setLength(10); // inside its first record
    }
    assertOneClearLine(startNode());
  }

  @Test
  void aCorruptedStoreIsRefusedWithOneLine() throws Exception {
    Path dir = store();
    Path manifest = only(dir, "MANIFEST-");
    try (RandomAccessFile f = new RandomAccessFile(manifest.toFile(), "rw")) {
      for (long at = 0; at < f.length(); at += 7) {
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x5a);
      }
    }
    assertOneClearLine(startNode());
  }
}
