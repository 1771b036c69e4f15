package dev.cairn.node;

import dev.cairn.chain.model.Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/**
 * A dev-network node in the test's JVM with its HTTP API on a loopback port picked by the system:
 * the setup the CLI, health, metrics and dashboard tests share.
 */
public final class DevNode {
  private DevNode() {}

  /** Starts a dev node storing under {@code dir}, mining to {@code miner} (null: not mining). */
  public static Node start(Path dir, Address miner) throws Exception {
    return Node.start(
        NodeConfig.of(
            "dev",
            dir,
            c -> {
              c.api = new InetSocketAddress("127.0.0.1", 0);
              if (miner != null) {
                c.mineTo(miner);
              }
            }));
  }

  /** The base URL of {@code node}'s HTTP API, without a trailing slash. */
  public static String url(Node node) {
    return "http://127.0.0.1:" + node.apiAddress().getPort();
  }

  /** GET {@code path} from {@code node}'s API; an I/O failure fails the test. */
  public static HttpResponse<String> get(Node node, String path) {
    String url = url(node) + path;
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + url, e);
    }
  }
}
