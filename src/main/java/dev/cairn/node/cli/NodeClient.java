package dev.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small client of a running node's HTTP API for the CLI. Every failure is an {@link IOException}
 * whose message is fit for one line: the node is unreachable, or it answered with an error.
 */
final class NodeClient {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient http;

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
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  JsonNode get(String path) throws IOException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  JsonNode post(String path, String body) throws IOException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  private URI uri(String path) {
    return URI.create(base + "/api/v1/" + path);
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException {
    HttpResponse<String> response;
    try {
      response =
          http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new IOException(
          "cannot reach a node at " + base + " (" + reason(e, "connection refused") + ")", e);
    } catch (HttpTimeoutException e) {
      throw new IOException("the node at " + base + " did not answer in time", e);
    } catch (IOException e) {
      throw new IOException(
          "cannot reach a node at " + base + " (" + reason(e, e.getClass().getSimpleName()) + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IOException(
          "the node at " + base + " answered " + response.statusCode() + " with no JSON", e);
    }
    if (response.statusCode() >= 400) {
      String error = body.path("error").asText("HTTP " + response.statusCode());
      throw new IOException("node: " + error);
    }
    return body;
  }

  private static String reason(Exception e, String fallback) {
    return e.getMessage() == null || e.getMessage().isBlank() ? fallback : e.getMessage();
  }

  static String pretty(JsonNode node) throws IOException {
    return JSON.writeValueAsString(node);
  }
}
