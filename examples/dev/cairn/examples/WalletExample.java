package dev.cairn.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A wallet in a page, over the node's HTTP API only (docs/API.md): makes a fresh key, signs a
 * transfer to it from a prefunded dev key, submits it with {@code POST /api/v1/txs} and waits until
 * a block includes it. Needs a node on the dev network that mines, or a peer of one.
 *
 * <pre>
 * bin/cairn example wallet --node http://127.0.0.1:8645
 * </pre>
 */
@Command(
    name = "wallet-example",
    mixinStandardHelpOptions = true,
    description = "Sign a transfer from a dev key to a new key, submit it, wait for inclusion.")
public final class WalletExample implements Callable<Integer> {
  @Option(
      names = "--node",
      defaultValue = "http://127.0.0.1:8645",
      description = "The node's API. Default: ${DEFAULT-VALUE}")
  String node;

  @Option(
      names = "--dev-key",
      defaultValue = "0",
      description = "Dev key that pays (0-3). Default: ${DEFAULT-VALUE}")
  int devKey;

  @Option(
      names = "--amount",
      defaultValue = "150000000",
      description = "Units to send (1 coin = 100000000). Default: ${DEFAULT-VALUE}")
  long amount;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "Seconds to wait for inclusion. Default: ${DEFAULT-VALUE}")
  long timeoutSeconds;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  public static void main(String[] args) {
    System.exit(new CommandLine(new WalletExample()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // 1. keys: the payer is a public dev key (dev network only); the payee is new
    SigningKey payer =
        SigningKey.fromSeed(
            Hash.sha256(("cairn dev key " + devKey).getBytes(StandardCharsets.US_ASCII)).bytes());
    SigningKey payee = SigningKey.generate(new SecureRandom());
    System.out.println("payer (dev key " + devKey + "): " + payer.address());
    System.out.println("payee (new key): " + payee.address());

    // 2. what the transaction must carry: the chain id and the payer's next nonce
    JsonNode status = get("/api/v1/status");
    int chainId = status.path("chainId").asInt();
    long nonce = get("/api/v1/accounts/" + payer.address()).path("nextNonce").asLong();
    System.out.println(
        "node on network "
            + status.path("network").asText()
            + ", chain id "
            + chainId
            + ", height "
            + status.path("headHeight").asLong()
            + "; payer nonce "
            + nonce);

    // 3. sign and submit: the body is the canonical encoding in hex
    Transaction tx = Transaction.signed(payer, chainId, payee.address(), amount, 1_000, nonce);
    String body =
        json.writeValueAsString(Map.of("tx", HexFormat.of().formatHex(ChainCodec.encode(tx))));
    HttpResponse<String> posted =
        http.send(
            HttpRequest.newBuilder(URI.create(node + "/api/v1/txs"))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode answer = json.readTree(posted.body());
    System.out.println(
        "submitted "
            + tx.id()
            + ": HTTP "
            + posted.statusCode()
            + " "
            + answer.path("outcome").asText());
    if (posted.statusCode() != 202) {
      System.out.println("refused: " + answer.path("error").asText());
      return 1;
    }

    // 4. wait for a block
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode t = get("/api/v1/txs/" + tx.id());
      if (t.path("status").asText().equals("confirmed")) {
        System.out.println(
            "included in block "
                + t.path("block").asText()
                + " at height "
                + t.path("height").asLong());
        JsonNode acct = get("/api/v1/accounts/" + payee.address());
        System.out.println(
            "payee balance "
                + acct.path("balance").asLong()
                + " units ("
                + acct.path("balanceCoins").asText()
                + " coins)");
        return 0;
      }
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
    System.out.println("not included within " + timeoutSeconds + "s (is a node mining?)");
    return 1;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofSeconds(15)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return json.createObjectNode();
    }
    if (r.statusCode() != 200) {
      throw new IOException(path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return json.readTree(r.body());
  }
}
