package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.node.miner.MiningSwitch;
import dev.cairn.testing.Await;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page's files and read-only routes, without a browser (StatusPageIT drives one): the
 * page is self-contained (nothing fetched from another origin) and its JSON routes answer.
 */
@Timeout(60)
class StatusPageTest {
  @TempDir static Path dir;
  static ChainService chain;
  static MiningSwitch mining;
  static StatusHistory history;
  static HttpApi api;
  static String url;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    chain =
        ChainService.start(
            GenesisFile.load("dev"),
            ChainConfig.defaults().withSyncWrites(false),
            dir,
            Clock.systemUTC());
    mining = new MiningSwitch(chain, b -> {});
    history = StatusHistory.start(() -> chain.view().height(), () -> 3);
    api = new HttpApi();
    StatusPage.register(api, chain, mining, history);
    InetSocketAddress bound = api.start(new InetSocketAddress("127.0.0.1", 0));
    url = "http://127.0.0.1:" + bound.getPort();
  }

  @AfterAll
  static void stop() {
    api.close();
    history.close();
    mining.close();
    chain.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageAndItsAssetsComeFromTheJarAndNameNoOtherOrigin() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<script src=\"/status/app.js\">");
    for (String asset : new String[] {"/", "/status/app.js", "/status/style.css"}) {
      String body = get(asset).body();
      Matcher m = Pattern.compile("(https?:)?//[a-zA-Z0-9.-]+").matcher(body);
      while (m.find()) {
        // the one absolute URL allowed is SVG's namespace name, which is never fetched
        assertThat(m.group()).as(asset).isIn("http://www.w3.org", "//");
      }
    }
    assertThat(get("/status/app.js").headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/status/secret.txt").statusCode()).isEqualTo(404);
    assertThat(get("/status/..%2Fpom.xml").statusCode()).isEqualTo(404);
  }

  @Test
  void recentBlocksMempoolMiningAndHistoryAnswer() throws Exception {
    assertThat(get("/api/v1/blocks?limit=5").body()).contains("\"height\" : 0");
    assertThat(get("/api/v1/blocks?limit=500").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/mempool/top").body()).contains("\"size\" : 0");
    assertThat(get("/api/v1/mining").body()).contains("\"mining\" : false");
    assertThat(get("/api/v1/history").body())
        .contains("\"intervalSeconds\" : 10")
        .contains("\"peers\" : 3");
  }

  @Test
  void theHistoryKeepsAnHourOfSamplesAndDropsTheOldest() {
    AtomicLong taken = new AtomicLong();
    try (StatusHistory h =
        StatusHistory.start(taken::incrementAndGet, () -> 0, Duration.ofMillis(1))) {
      Await.until(
          () -> taken.get() > StatusHistory.SAMPLES + 50,
          Duration.ofSeconds(30),
          "more samples than are kept");
      assertThat(h.samples()).hasSize(StatusHistory.SAMPLES);
      assertThat(h.samples().get(0).height()).isGreaterThan(1);
    }
  }
}
