package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin actions (docs/API.md, "Admin actions") are served only on a loopback API, and even
 * there refuse what a web page in the operator's browser could send.
 */
@Timeout(30)
class AdminRoutesTest {
  private final HttpApi api = new HttpApi();
  private final List<Multiaddr> dialled = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    api.close();
  }

  /** Serves the admin routes on {@code bind}; the dialler records the address and fails. */
  private String serve(String bindHost) throws IOException {
    AdminRoutes.register(
        api,
        new InetSocketAddress(bindHost, 0),
        a -> {
          dialled.add(a);
          throw new IOException("connection refused");
        },
        null,
        null,
        1);
    InetSocketAddress bound = api.start(new InetSocketAddress(bindHost, 0));
    return "http://127.0.0.1:" + bound.getPort();
  }

  private HttpResponse<String> post(String url, String contentType, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> dial(String url, String contentType) throws Exception {
    return post(url + "/api/v1/admin/dial", contentType, "{\"address\":\"/ip4/127.0.0.1/tcp/9\"}");
  }

  @Test
  void onALoopbackApiDialReachesTheHost() throws Exception {
    String url = serve("127.0.0.1");
    HttpResponse<String> r = dial(url, "application/json");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("cannot connect to /ip4/127.0.0.1/tcp/9: connection refused");
    assertThat(dialled).containsExactly(Multiaddr.parse("/ip4/127.0.0.1/tcp/9"));
  }

  @Test
  void onAnApiOnAllAddressesAdminActionsAre403AndNeverReachTheNode() throws Exception {
    String url = serve("0.0.0.0");
    HttpResponse<String> dial = dial(url, "application/json");
    HttpResponse<String> mine =
        post(url + "/api/v1/admin/mining", "application/json", "{\"on\":true}");
    assertThat(dial.statusCode()).isEqualTo(403);
    assertThat(dial.body()).contains("only when the API listens on loopback");
    assertThat(mine.statusCode()).isEqualTo(403);
    assertThat(dialled).isEmpty();
  }

  @Test
  void aRequestThatIsNotJsonIsRefusedSoNoCrossSiteFormCanSendIt() throws Exception {
    String url = serve("127.0.0.1");
    HttpResponse<String> r = dial(url, "text/plain");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(dialled).isEmpty();
  }

  @Test
  void aRequestForAnotherHostNameIsRefusedAgainstDnsRebinding() throws Exception {
    String url = serve("127.0.0.1");
    String body = "{\"address\":\"/ip4/127.0.0.1/tcp/9\"}";
    // HttpClient will not set Host: write the request by hand
    URI u = URI.create(url);
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /api/v1/admin/dial HTTP/1.1\r\nHost: evil.example:8645\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length()
                  + "\r\nConnection: close\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 403").contains("loopback host name");
    }
    assertThat(dialled).isEmpty();
  }

  @Test
  void loopbackHostNamesAreLocalhostAnd127AndV6One() {
    assertThat(AdminRoutes.loopbackName("localhost:8645")).isTrue();
    assertThat(AdminRoutes.loopbackName("127.0.0.2:80")).isTrue();
    assertThat(AdminRoutes.loopbackName("[::1]:8645")).isTrue();
    assertThat(AdminRoutes.loopbackName("127.0.0.1.evil.example")).isFalse();
    assertThat(AdminRoutes.loopbackName("localhost.evil.example")).isFalse();
    assertThat(AdminRoutes.loopbackName("10.0.0.1:8645")).isFalse();
  }
}
