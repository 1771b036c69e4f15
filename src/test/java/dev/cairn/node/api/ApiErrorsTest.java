package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.testing.Closing;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API's error answers (docs/API.md): 413, 503, a refused and a duplicate transaction. */
@Timeout(60)
class ApiErrorsTest {
  @TempDir static Path dir;
  static NetworkParams dev;
  static ChainService chain;
  static HttpApi api;
  static String url;

  /** Where POST /api/v1/txs goes; the chain's mempool unless a test swaps it. */
  static final AtomicReference<Function<Transaction, CompletableFuture<Mempool.Admission>>> submit =
      new AtomicReference<>();

  static final SigningKey DEV0 = ChainFixture.seededKey("cairn dev key 0");
  static final SigningKey OTHER = ChainFixture.seededKey("api errors");

  @BeforeAll
  static void start() throws Exception {
    dev = GenesisFile.load("dev");
    chain =
        ChainService.start(
            dev, ChainConfig.defaults().withSyncWrites(false), dir, Clock.systemUTC());
    submit.set(chain::submitTransaction);
    api = new HttpApi();
    ChainRoutes.register(api, chain, tx -> submit.get().apply(tx));
    InetSocketAddress bound = api.start(new InetSocketAddress("127.0.0.1", 0));
    url = "http://127.0.0.1:" + bound.getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(api, chain);
  }

  static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postTx(Transaction tx) throws Exception {
    String json = "{\"tx\":\"" + HexFormat.of().formatHex(ChainCodec.encode(tx)) + "\"}";
    return post("/api/v1/txs", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBodyOverTheLimitIs413AndOneAtTheLimitIsRead() throws Exception {
    HttpResponse<String> over = post("/api/v1/txs", new byte[HttpApi.MAX_BODY + 1]);
    assertThat(over.statusCode()).isEqualTo(413);
    assertThat(over.body()).contains("request body over " + HttpApi.MAX_BODY + " bytes");

    // At the limit the body reaches the handler, which finds it is not hex.
    byte[] atLimit = new byte[HttpApi.MAX_BODY];
    java.util.Arrays.fill(atLimit, (byte) 'z');
    HttpResponse<String> at = post("/api/v1/txs", atLimit);
    assertThat(at.statusCode()).isEqualTo(400);
    assertThat(at.body()).contains("transaction is not hex");
  }

  @Test
  void aTransactionWithABadSignatureIs400WithItsReason() throws Exception {
    Transaction good = Transaction.signed(DEV0, dev.chainId(), OTHER.address(), 1, dev.minFee(), 0);
    byte[] sig = good.signature().clone();
    sig[0] ^= 1;
    HttpResponse<String> r = postTx(good.withSignature(sig));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("\"outcome\" : \"rejected\"")
        .contains("\"error\" : \"transaction refused: bad_signature");
  }

  @Test
  void theSameTransactionTwiceIs202DuplicateTheSecondTime() throws Exception {
    Transaction tx = Transaction.signed(DEV0, dev.chainId(), OTHER.address(), 7, dev.minFee(), 0);
    HttpResponse<String> first = postTx(tx);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(first.body()).contains("\"outcome\" : \"added\"").contains(tx.id().toString());

    HttpResponse<String> second = postTx(tx);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
    assertThat(second.body()).contains("\"outcome\" : \"duplicate\"").doesNotContain("error");
  }

  @Test
  void aStoppedChainIs503NotAnInternalError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path d)
      throws Exception {
    ChainService stopped =
        ChainService.start(
            dev, ChainConfig.defaults().withSyncWrites(false), d, java.time.Clock.systemUTC());
    stopped.close();
    Function<Transaction, CompletableFuture<Mempool.Admission>> mempool = submit.get();
    submit.set(stopped::submitTransaction);
    try {
      Transaction tx =
          Transaction.signed(DEV0, dev.chainId(), OTHER.address(), 11, dev.minFee(), 0);
      HttpResponse<String> r = postTx(tx);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("the chain has stopped");
    } finally {
      submit.set(mempool);
    }
  }

  @Test
  void aBusyChainIs503WithOutcomeBusy() throws Exception {
    Transaction tx = Transaction.signed(DEV0, dev.chainId(), OTHER.address(), 9, dev.minFee(), 5);
    Function<Transaction, CompletableFuture<Mempool.Admission>> mempool = submit.get();
    submit.set(
        t ->
            CompletableFuture.completedFuture(
                new Mempool.Admission(Mempool.Outcome.BUSY, t.id(), null, "mailbox full")));
    try {
      HttpResponse<String> r = postTx(tx);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .contains("\"outcome\" : \"busy\"")
          .contains("transaction refused: busy: mailbox full");
    } finally {
      submit.set(mempool);
    }
  }
}
