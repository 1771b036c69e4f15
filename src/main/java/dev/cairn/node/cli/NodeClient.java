package dev.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small client of a running node's HTTP API for the CLI. Every failure is an {@link IOException}
 * whose message is fit for one line: the node is unreachable, or it answered with an error.
 *
 * <p>It speaks through {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: building an
 * {@code HttpClient} sets up TLS (the default trust store, the security providers) even for a plain
 * {@code http://} URL, which cost a one-shot command such as {@code cairn status} about three times
 * the CPU of all the rest of the request (see docs/BENCHMARKS.md).
 */
final class NodeClient {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;

  NodeClient(String url) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    try {
      URI uri = new URI(u);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "--node wants a URL like http://127.0.0.1:8645, got '" + url + "'");
      }
      this.base = uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "--node wants a URL like http://127.0.0.1:8645, got '" + url + "'", e);
    }
  }

  JsonNode get(String path) throws IOException {
    return send(path, null);
  }

  JsonNode post(String path, String body) throws IOException {
    return send(path, body.getBytes(StandardCharsets.UTF_8));
  }

  private URI uri(String path) {
    return URI.create(base + "/api/v1/" + path);
  }

  /** GET {@code path}, or POST {@code body} as JSON when it is not null. */
  private JsonNode send(String path, byte[] body) throws IOException {
    int status;
    String answer;
    try {
      HttpURLConnection c = (HttpURLConnection) uri(path).toURL().openConnection();
      c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      c.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
      c.setUseCaches(false);
      if (body != null) {
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      status = c.getResponseCode();
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (ConnectException e) {
      throw new IOException(
          "cannot reach a node at " + base + " (" + reason(e, "connection refused") + ")", e);
    } catch (SocketTimeoutException e) {
      throw new IOException(
          e.getMessage() != null && e.getMessage().contains("connect")
              ? "cannot reach a node at " + base + " (connect timed out)"
              : "the node at " + base + " did not answer in time",
          e);
    } catch (IOException e) {
      throw new IOException(
          "cannot reach a node at " + base + " (" + reason(e, e.getClass().getSimpleName()) + ")",
          e);
    }
    JsonNode json;
    try {
      json = JSON.readTree(answer);
    } catch (IOException e) {
      throw new IOException("the node at " + base + " answered " + status + " with no JSON", e);
    }
    if (status >= 400) {
      String error = json.path("error").asText("HTTP " + status);
      throw new IOException("node: " + error);
    }
    return json;
  }

  private static String reason(Exception e, String fallback) {
    return e.getMessage() == null || e.getMessage().isBlank() ? fallback : e.getMessage();
  }

  static String pretty(JsonNode node) throws IOException {
    return JSON.writeValueAsString(node);
  }
}
