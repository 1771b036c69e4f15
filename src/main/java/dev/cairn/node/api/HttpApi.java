package dev.cairn.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The node's HTTP JSON API on the JDK's HTTP server, one virtual thread per request. Handlers read
 * owners' published snapshots or send commands to owners; they never hold owner state. Listens on
 * localhost unless configured otherwise.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  /** Largest request body we read (a signed transaction is far smaller). */
  public static final int MAX_BODY = 64 * 1024;

  /** Longest raw path plus query we route (the API's targets are far shorter). */
  static final int MAX_TARGET = 8 * 1024;

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A request as handlers see it; {@code headers} maps lower-case names to the first value. */
  public record Request(
      String method, Map<String, String> params, byte[] body, Map<String, String> headers) {
    /** A request without headers. */
    public Request(String method, Map<String, String> params, byte[] body) {
      this(method, params, body, Map.of());
    }

    public String param(String name) {
      return params.get(name);
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** A JSON (or, for {@code text}, plain) answer. */
  public record Response(int status, Object body, String contentType) {
    public static Response json(Object body) {
      return new Response(200, body, "application/json");
    }

    public static Response error(int status, String message) {
      return new Response(status, Map.of("error", message), "application/json");
    }

    /** A JSON answer with another status than 200 (e.g. 202 Accepted). */
    public static Response json(int status, Object body) {
      return new Response(status, body, "application/json");
    }

    public static Response text(String body, String contentType) {
      return new Response(200, body, contentType);
    }
  }

  /** A route's logic. Runs on the request's virtual thread and may block briefly. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

  private final List<Route> routes = new ArrayList<>();
  private HttpServer server;
  private ExecutorService executor;

  /**
   * Adds a route; {@code path} may hold {@code {name}} segments, e.g. {@code /api/v1/blocks/{id}}.
   * Routes are added before {@link #start}.
   */
  public HttpApi route(String method, String path, Handler handler) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\{(\\w+)}").matcher(path);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(path.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(path.substring(last)));
    routes.add(new Route(method, Pattern.compile(regex.toString()), names, handler));
    return this;
  }

  /** Starts serving on {@code address} (port 0 picks one) and returns the bound address. */
  public InetSocketAddress start(InetSocketAddress address) throws IOException {
    server = HttpServer.create(address, 128);
    executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
    return server.getAddress();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      Response response =
          respond(
              exchange.getRequestMethod(),
              exchange.getRequestURI(),
              exchange.getRequestBody(),
              headers(exchange));
      byte[] bytes =
          response.body instanceof String s
              ? s.getBytes(StandardCharsets.UTF_8)
              : JSON.writeValueAsBytes(response.body);
      exchange.getResponseHeaders().set("Content-Type", response.contentType);
      exchange.sendResponseHeaders(response.status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /**
   * The answer to one request; a malformed request target is refused with 400 (or 414 when too
   * long), never thrown. Routes match the raw path, and each parameter is percent-decoded once (a
   * path segment literally, a query the form way, {@code +} as space), strictly: an escape that is
   * not two hex digits, or bytes that are not UTF-8, are refused rather than guessed at.
   */
  Response respond(String method, URI uri, InputStream body, Map<String, String> headers)
      throws IOException {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery();
    if (path.length() + (query == null ? 0 : query.length()) > MAX_TARGET) {
      return Response.error(414, "request target over " + MAX_TARGET + " characters");
    }
    boolean pathKnown = false;
    for (Route r : routes) {
      Matcher m = r.pattern.matcher(path);
      if (!m.matches()) {
        continue;
      }
      pathKnown = true;
      if (!r.method.equals(method)) {
        continue;
      }
      Map<String, String> params = new java.util.HashMap<>();
      byte[] bytes;
      try (InputStream in = body) {
        for (int i = 0; i < r.names.size(); i++) {
          params.put(r.names.get(i), percentDecode(m.group(i + 1), false));
        }
        if (query != null) {
          for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
              params.putIfAbsent(
                  percentDecode(pair.substring(0, eq), true),
                  percentDecode(pair.substring(eq + 1), true));
            }
          }
        }
        bytes = in.readNBytes(MAX_BODY + 1);
      } catch (ApiException e) {
        return Response.error(e.status(), e.getMessage());
      }
      if (bytes.length > MAX_BODY) {
        return Response.error(413, "request body over " + MAX_BODY + " bytes");
      }
      try {
        return r.handler.handle(new Request(method, params, bytes, headers));
      } catch (ApiException e) {
        return Response.error(e.status(), e.getMessage());
      } catch (IllegalArgumentException e) {
        return Response.error(400, e.getMessage());
      } catch (Exception e) {
        LOG.error("API {} {} failed", method, path, e);
        return Response.error(500, "internal error");
      }
    }
    return pathKnown ? Response.error(405, "method not allowed") : Response.error(404, "not found");
  }

  /**
   * Decodes {@code %XX} escapes (and {@code +} as a space when {@code plusIsSpace}) into UTF-8
   * text; a broken escape or bytes that are not UTF-8 are refused with 400.
   */
  static String percentDecode(String raw, boolean plusIsSpace) {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw new ApiException(400, "malformed percent escape in the request target");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        int end = i + 1;
        if (Character.isHighSurrogate(c)
            && end < raw.length()
            && Character.isLowSurrogate(raw.charAt(end))) {
          end++;
        }
        out.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ApiException(400, "request target is not UTF-8 after decoding");
    }
  }

  private static Map<String, String> headers(HttpExchange exchange) {
    Map<String, String> headers = new java.util.HashMap<>();
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0));
              }
            });
    return headers;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
