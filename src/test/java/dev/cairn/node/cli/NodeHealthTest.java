package dev.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.node.DevNode;
import dev.cairn.node.Node;
import dev.cairn.testing.Await;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/health} and {@code cairn health} against a mining dev node in this JVM. */
@Timeout(60)
class NodeHealthTest {
  static final SigningKey MINER =
      SigningKey.fromSeed(
          Hash.sha256("health test miner".getBytes(StandardCharsets.UTF_8)).bytes());

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Node node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  HttpResponse<String> health() throws Exception {
    return DevNode.get(node, "/api/v1/health");
  }

  @Test
  void aStoppedChainOwnerMakesHealthAnswer503AndTheNodeReportItsDeath() throws Exception {
    node = DevNode.start(tmp.resolve("node"), MINER.address());
    String url = DevNode.url(node);

    HttpResponse<String> ok = health();
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonNode okBody = JSON.readTree(ok.body());
    assertThat(okBody.path("status").asText()).isEqualTo("ok");
    assertThat(okBody.has("error")).isFalse();
    for (String owner : List.of("chain", "gossip", "sync", "connections", "kad")) {
      assertThat(okBody.path("owners").path(owner).asText()).as(owner).isEqualTo("running");
    }
    assertThat(CliTest.cairn(Map.of(), "health", "--node", url).code()).isZero();

    // A fault inside the chain owner: an Error thrown on its thread (as an OutOfMemoryError or a
    // StackOverflowError would be) at the next head change, which the miner brings.
    node.chain()
        .subscribeHeadChanges(
            c -> {
              throw new InternalError("injected fault in the chain owner");
            })
        .get(10, TimeUnit.SECONDS);

    Await.until(() -> !node.chain().isRunning(), Duration.ofSeconds(30), "chain owner stops");
    HttpResponse<String> down = health();
    assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
    JsonNode downBody = JSON.readTree(down.body());
    assertThat(downBody.path("status").asText()).isEqualTo("unhealthy");
    assertThat(downBody.path("owners").path("chain").asText()).isEqualTo("stopped");
    assertThat(downBody.path("owners").path("gossip").asText()).isEqualTo("running");
    assertThat(downBody.path("error").asText())
        .startsWith("chain stopped")
        .contains("injected fault in the chain owner");
    assertThat(node.unhealthy()).get().asString().startsWith("chain stopped");

    CliTest.Run run = CliTest.cairn(Map.of(), "health", "--node", url);
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("chain stopped").contains("injected fault");

    assertThat(node.ownerStopped().get(10, TimeUnit.SECONDS))
        .contains("chain stopped")
        .contains("injected fault in the chain owner");
  }
}
