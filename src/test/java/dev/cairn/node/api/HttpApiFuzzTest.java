package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes what {@link HttpApi} does with a request before a handler runs: the method, the request
 * target (raw path and query, percent-decoding) and the body's size. The input is the method's
 * index, the target, a zero byte and the body. Whatever arrives, the answer is a status from the
 * API's set (never an exception, never 500), and a parameter that reaches a handler is the
 * percent-decoding of what was sent.
 */
class HttpApiFuzzTest {
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "get", ""};
  private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 413, 414);

  private final HttpApi api =
      new HttpApi()
          .route("GET", "/api/v1/blocks/{id}", r -> Response.json(Map.copyOf(r.params())))
          .route(
              "GET",
              "/api/v1/accounts/{address}",
              r -> Response.json(ChainRoutes.parseAddress(r.param("address")).toString()))
          .route("POST", "/api/v1/txs", r -> Response.json(r.body().length));

  @FuzzTest(maxDuration = "10s")
  void requestIsAnsweredOrRefused(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String method = METHODS[(input[0] & 0xff) % METHODS.length];
    int zero = 1;
    while (zero < input.length && input[zero] != 0) {
      zero++;
    }
    String target = new String(input, 1, zero - 1, StandardCharsets.ISO_8859_1);
    byte[] body = zero < input.length ? Arrays.copyOfRange(input, zero + 1, input.length) : null;
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      return; // the JDK's server answers 400 before we see it
    }
    byte[] sent = body == null ? new byte[0] : body;
    Response r =
        Fuzz.bounded(
            input,
            64,
            HttpApi.MAX_BODY,
            RuntimeException.class,
            () -> api.respond(method, uri, new ByteArrayInputStream(sent), Map.of()));
    assertThat(r).as("no exception escapes respond").isNotNull();
    assertThat(STATUSES).as(target).contains(r.status());
    String raw = uri.getRawPath();
    if (r.status() == 200 && raw != null && raw.startsWith("/api/v1/blocks/")) {
      String sentId = raw.substring("/api/v1/blocks/".length());
      @SuppressWarnings("unchecked")
      Map<String, String> params = (Map<String, String>) r.body();
      assertThat(reencode(params.get("id"))).isEqualTo(normalise(sentId));
    }
  }

  /** Percent-encodes every byte outside unreserved ASCII, upper-case hex. */
  private static String reencode(String decoded) {
    StringBuilder b = new StringBuilder();
    for (byte x : decoded.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }

  /** The same encoding of what was sent: its escapes decoded to bytes, then {@link #reencode}d. */
  private static String normalise(String raw) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return reencode(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
  }
}
