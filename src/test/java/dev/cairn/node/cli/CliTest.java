package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.node.DevNode;
import dev.cairn.node.Node;
import dev.cairn.testing.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's client commands and the HTTP API against a mining dev node in this JVM. */
@Timeout(120)
class CliTest {
  @TempDir static Path tmp;
  static Node node;
  static String url;
  static final SigningKey MINER =
      SigningKey.fromSeed(Hash.sha256("cli test miner".getBytes(StandardCharsets.UTF_8)).bytes());

  @BeforeAll
  static void startNode() throws Exception {
    node = DevNode.start(tmp.resolve("node"), MINER.address());
    url = DevNode.url(node);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  record Run(int code, String out, String err) {}

  static Run cairn(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(env)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run cairn(String... args) {
    return cairn(Map.of("CAIRN_PASSPHRASE", "pass phrase"), args);
  }

  static HttpResponse<String> http(String method, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The arguments of {@code cairn tx send} from {@code keystore} to this node, then {@code more}.
   */
  static String[] txSend(Path keystore, String to, String amount, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "tx",
                "send",
                "--node",
                url,
                "--keystore",
                keystore.toString(),
                "--to",
                to,
                "--amount",
                amount));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void sendsATransferThatIsMinedAndShowsInTheBalance() throws Exception {
    Path k0 = tmp.resolve("dev0.json");
    Run imported = cairn("wallet", "import", "--dev-key", "0", "--keystore", k0.toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out().strip()).isEqualTo("cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va");

    Path passFile = tmp.resolve("pass.txt");
    Files.writeString(passFile, "other pass\n");
    Path k1 = tmp.resolve("new.json");
    Run created =
        cairn(
            Map.of(),
            "wallet",
            "new",
            "--keystore",
            k1.toString(),
            "--passphrase-file",
            passFile.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String to = created.out().strip();
    assertThat(to).startsWith("cairn1");
    assertThat(cairn("wallet", "address", "--keystore", k1.toString()).out().strip()).isEqualTo(to);

    Run sent = cairn(txSend(k0, to, "123456", "--fee", "1000"));
    assertThat(sent.code()).as(sent.err()).isZero();
    String id = sent.out().strip();
    assertThat(id).matches("[0-9a-f]{64}");

    Await.until(
        () -> cairn("balance", "--node", url, to).out().startsWith("123456 units"),
        Duration.ofSeconds(60),
        "the transfer is mined");
    HttpResponse<String> tx = http("GET", "/api/v1/txs/" + id);
    assertThat(tx.statusCode()).isEqualTo(200);
    assertThat(tx.body()).contains("\"status\" : \"confirmed\"").contains(to);

    // the sender's nonce moved on; a second send picks the next one by itself
    Run again = cairn(txSend(k0, to, "1"));
    assertThat(again.code()).as(again.err()).isZero();

    Run wrong = cairn(Map.of("CAIRN_PASSPHRASE", "nope"), txSend(k0, to, "1"));
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err().strip()).isEqualTo("cairn: wrong passphrase");
  }

  @Test
  void statusBlockPeersAndMetrics() throws Exception {
    Run status = cairn("status", "--node", url);
    assertThat(status.code()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("\"chainId\" : 1337")
        .contains("\"network\" : \"dev\"")
        .contains("\"state\" : \"IDLE\"");
    Run genesis = cairn("block", "--node", url, "0");
    assertThat(genesis.code()).as(genesis.err()).isZero();
    assertThat(genesis.out()).contains("\"height\" : 0").contains("\"canonical\" : true");
    String hash = node.chain().view().genesis().toString();
    assertThat(cairn("block", "--node", url, hash).out()).contains(hash);
    assertThat(cairn("peers", "--node", url).out().strip()).isEqualTo("[ ]");
    assertThat(http("GET", "/api/v1/mempool").body()).contains("\"size\"");
    assertThat(http("GET", "/api/v1/head").body()).contains("\"cumulativeWork\"");
    String metrics = http("GET", "/metrics").body();
    assertThat(metrics)
        .contains("cairn_head_height ")
        .contains("cairn_hash_rate ")
        .contains("cairn_mempool_size ")
        .contains("cairn_peers{direction=\"inbound\"} 0");
    node.nodeMetrics().gossipResult("blocks", "accept");
    assertThat(http("GET", "/metrics").body())
        // labels in name order, as the Prometheus client writes them
        .contains("cairn_gossip_messages_total{result=\"accept\",topic=\"blocks\"} 1");
  }

  @Test
  void apiErrors() throws Exception {
    HttpResponse<String> unknown = http("GET", "/api/v1/blocks/" + "ab".repeat(32));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(http("GET", "/api/v1/blocks/999999").statusCode()).isEqualTo(404);
    assertThat(http("GET", "/api/v1/blocks/xyz").statusCode()).isEqualTo(400);
    HttpResponse<String> badAddress =
        http("GET", "/api/v1/accounts/cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7vc");
    assertThat(badAddress.statusCode()).isEqualTo(400);
    assertThat(badAddress.body()).contains("checksum");
    assertThat(http("DELETE", "/api/v1/status").statusCode()).isEqualTo(405);
    assertThat(http("GET", "/api/v1/nothing").statusCode()).isEqualTo(404);
    assertThat(http("POST", "/api/v1/txs").statusCode()).isEqualTo(400);
    HttpResponse<String> fresh =
        http(
            "GET",
            "/api/v1/accounts/"
                + SigningKey.generate(new java.security.SecureRandom()).address().text());
    assertThat(fresh.body()).contains("\"balance\" : 0").contains("\"nonce\" : 0");
  }

  @Test
  void cliErrorsAreOneLine() throws java.io.IOException {
    Run badChecksum =
        cairn("balance", "--node", url, "cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7vc");
    assertThat(badChecksum.code()).isEqualTo(1);
    assertThat(badChecksum.err()).startsWith("cairn: bad address").contains("checksum");
    // A port held by a bound socket that does not listen: refused, and nothing else can take it.
    Run unreachable;
    String nowhere;
    try (java.net.Socket closed = new java.net.Socket()) {
      closed.bind(new InetSocketAddress("127.0.0.1", 0));
      nowhere = "http://127.0.0.1:" + closed.getLocalPort();
      unreachable = cairn("status", "--node", nowhere);
    }
    assertThat(unreachable.code()).isEqualTo(1);
    assertThat(unreachable.err()).startsWith("cairn: cannot reach a node at " + nowhere);
    Run badFlag = cairn("tx", "send", "--amount", "lots");
    assertThat(badFlag.code()).isEqualTo(2);
    for (Run r : List.of(badChecksum, unreachable, badFlag)) {
      assertThat(r.err().strip().lines()).hasSize(1);
    }
    Map<String, String> env = new HashMap<>();
    Run help = cairn(env, "wallet", "new", "--help");
    assertThat(help.out()).contains("--passphrase-file");
  }
}
