package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.node.api.HttpApi.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routing and parameter decoding of {@link HttpApi}, without a socket. */
class HttpApiTest {
  private final HttpApi api =
      new HttpApi()
          .route("GET", "/echo/{name}", r -> Response.json(Map.copyOf(r.params())))
          .route("POST", "/echo/{name}", r -> Response.json(r.body().length));

  private Response get(String target) throws Exception {
    return api.respond("GET", new URI(target), new ByteArrayInputStream(new byte[0]), Map.of());
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> params(String target) throws Exception {
    Response r = get(target);
    assertThat(r.status()).as(target).isEqualTo(200);
    return (Map<String, String>) r.body();
  }

  @Test
  void aPathParameterIsDecodedOnceAndLiterally() throws Exception {
    assertThat(params("/echo/a%20b+c")).containsEntry("name", "a b+c");
    // Decoded once: an escaped percent sign stays a percent sign followed by its text.
    assertThat(params("/echo/%2541")).containsEntry("name", "%41");
    assertThat(params("/echo/%C3%A9t%C3%A9")).containsEntry("name", "été");
  }

  @Test
  void aQueryIsDecodedTheFormWayAndThePathWins() throws Exception {
    assertThat(params("/echo/x?limit=5&q=a+b%26c&name=other&flag"))
        .containsEntry("limit", "5")
        .containsEntry("q", "a b&c")
        .containsEntry("name", "x")
        .doesNotContainKey("flag");
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedWith400() throws Exception {
    Response path = get("/echo/%C3%28");
    assertThat(path.status()).isEqualTo(400);
    assertThat(path.body().toString()).contains("not UTF-8");
    assertThat(get("/echo/x?q=%FF").status()).isEqualTo(400);
  }

  @Test
  void unknownPathsAndMethodsAndOverlongTargets() throws Exception {
    assertThat(get("/nowhere").status()).isEqualTo(404);
    assertThat(
            api.respond("PUT", new URI("/echo/x"), new ByteArrayInputStream(new byte[0]), Map.of())
                .status())
        .isEqualTo(405);
    assertThat(get("/echo/x?q=" + "a".repeat(HttpApi.MAX_TARGET)).status()).isEqualTo(414);
    assertThat(
            api.respond(
                    "POST",
                    new URI("/echo/x"),
                    new ByteArrayInputStream(new byte[HttpApi.MAX_BODY + 1]),
                    Map.of())
                .status())
        .isEqualTo(413);
  }
}
