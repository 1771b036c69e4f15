package dev.cairn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The process tests' HTTP probes: a GET that answers null or "" instead of throwing. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  /** GET {@code url}: the response, or null when nothing answered. */
  public static HttpResponse<String> send(String url) {
    try {
      return CLIENT.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** GET {@code url}: its body, or "" when nothing answered. */
  public static String text(String url) {
    HttpResponse<String> r = send(url);
    return r == null ? "" : r.body();
  }

  /** GET {@code url} as JSON, or null unless it answered 200 with JSON. */
  public static JsonNode json(String url) {
    HttpResponse<String> r = send(url);
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return null;
    }
  }
}
