package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.node.wallet.Keystore;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn console} driven through its input, as a person types, on a JLine dumb terminal:
 * against a node whose API listens on loopback, with a second node to connect to.
 */
@Timeout(120)
class ConsoleTest {
  static final Address MINER = key("console miner").address();
  static final Address PAYEE = key("console payee").address();
  static final char[] PASS = "console pass".toCharArray();

  @TempDir Path tmp;
  private final List<Node> nodes = new ArrayList<>();

  static SigningKey key(String seed) {
    return ChainFixture.seededKey(seed);
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  Node start(String name, InetSocketAddress api) throws IOException {
    Node n = Node.start(NodeConfig.of("dev", tmp.resolve(name), c -> c.api = api));
    nodes.add(n);
    return n;
  }

  /** A console on a pipe: {@link #type} writes a line, {@link #output} is all it printed. */
  static final class Session implements AutoCloseable {
    final PipedOutputStream keys = new PipedOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final CompletableFuture<Integer> exit;

    Session(String url, Map<String, String> env, Path history) throws IOException {
      PipedInputStream in = new PipedInputStream(keys, 64 * 1024);
      exit =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return NodeConsole.run(url, env, in, screen, history);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
    }

    void type(String line) throws IOException {
      keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keys.flush();
    }

    String output() {
      return screen.toString(StandardCharsets.UTF_8);
    }

    void awaitOutput(String text) {
      Await.until(() -> output().contains(text), Duration.ofSeconds(30), "console prints " + text);
    }

    @Override
    public void close() throws IOException {
      keys.close();
    }
  }

  @Test
  void aPersonConnectsMinesSendsAndReadsBalancesThroughTheConsole() throws Exception {
    Node node = start("a", new InetSocketAddress("127.0.0.1", 0));
    Node other = start("b", null);
    String url = "http://127.0.0.1:" + node.apiAddress().getPort();
    Path keystore = tmp.resolve("dev0.json");
    Keystore.write(
        keystore,
        key("cairn dev key 0"),
        PASS,
        new Keystore.Params(1 << 10, 8, 1),
        new SecureRandom());
    Path history = tmp.resolve("history");
    try (Session s = new Session(url, Map.of(), history)) {
      s.type("status");
      s.awaitOutput("head    0 ");
      s.awaitOutput("mining  off");

      Multiaddr otherAddress = other.p2p().host().fullAddress().orElseThrow();
      String otherId = other.p2p().host().peerId().toBase58();
      s.type("connect " + otherAddress);
      s.awaitOutput("connected to " + otherId);
      assertThat(node.p2p().host().connections())
          .anyMatch(c -> c.remotePeer().toBase58().equals(otherId));
      s.type("peers");
      s.awaitOutput(otherId + "  outbound");

      s.type("mine on " + MINER.text());
      s.awaitOutput("mining on, 1 threads");
      Await.until(
          () -> node.chain().view().height() >= 2, Duration.ofSeconds(60), "the node mines");
      s.type("mine off");
      s.awaitOutput("mining off");
      long stoppedAt = node.chain().view().height();
      Await.until(
          () -> other.chain().view().height() >= stoppedAt,
          Duration.ofSeconds(30),
          "the connected peer gets the mined blocks");

      s.type("send --keystore " + keystore + " --to " + PAYEE.text() + " --amount 4321");
      s.type(new String(PASS));
      Await.until(
          () -> node.chain().view().mempoolSize() == 1,
          Duration.ofSeconds(30),
          "the transfer reaches the mempool");
      String id = node.chain().mempool(null, 1).get(10, TimeUnit.SECONDS).get(0).id().toString();
      s.awaitOutput(id);
      s.type("tx " + id);
      s.awaitOutput("\"status\" : \"pending\"");
      s.type("mine on " + MINER.text());
      Await.until(
          () -> node.chain().view().mempoolSize() == 0,
          Duration.ofSeconds(60),
          "the transfer is mined");
      s.type("mine off");
      s.type("balance " + PAYEE.text());
      s.awaitOutput("4321 units");
      s.type("block 1");
      s.awaitOutput("\"height\" : 1");
      s.type("sync");
      s.awaitOutput("sync    in sync at height");
      s.type("tx " + "ab".repeat(32));
      s.awaitOutput("error: node: no transaction");
      s.type("frobnicate");
      s.awaitOutput("unknown command 'frobnicate'");
      s.type("history");
      s.awaitOutput("connect " + otherAddress);
      s.type("exit");
      assertThat(s.exit.get(30, TimeUnit.SECONDS)).isZero();
    }
    String saved = Files.readString(history);
    assertThat(saved).contains("mine on " + MINER.text()).contains("status");
    assertThat(saved).doesNotContain(new String(PASS));
  }

  @Test
  void endOfInputLeavesTheConsoleAndAnUnreachableNodeIsOneLine() throws Exception {
    try (Session s = new Session("http://127.0.0.1:9", Map.of(), null)) {
      s.type("status");
      s.awaitOutput("error: cannot reach a node at http://127.0.0.1:9");
      s.close();
      assertThat(s.exit.get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void tabCompletesCommandsMineAndSendOptions() {
    LineReader reader = LineReaderBuilder.builder().build();
    DefaultParser parser = new DefaultParser();
    assertThat(complete(reader, parser, "mi")).contains("mine");
    assertThat(complete(reader, parser, "mine o")).containsExactly("on", "off");
    assertThat(complete(reader, parser, "send --to x --")).contains("--keystore", "--amount");
    assertThat(complete(reader, parser, "send --to x --")).doesNotContain("--to");
  }

  private static List<String> complete(LineReader reader, DefaultParser parser, String text) {
    ParsedLine line = parser.parse(text, text.length());
    List<Candidate> candidates = new ArrayList<>();
    NodeConsole.completer().complete(reader, line, candidates);
    return candidates.stream().map(Candidate::value).toList();
  }
}
