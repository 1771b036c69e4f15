package dev.cairn.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.model.Address;
import dev.cairn.node.api.HttpApi.Request;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.node.miner.MiningSwitch;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The API's admin actions, for {@code cairn console}: dial a peer, turn mining on and off. They
 * change the node, so they are served only when the API listens on a loopback address; on any other
 * address they answer 403 and do nothing. On loopback they still refuse what a web page in the
 * operator's browser could send: a request whose {@code Content-Type} is not JSON (a cross-site
 * form or a "simple" fetch; JSON needs a CORS preflight, which we never grant) is 415, and one
 * whose {@code Host} is not a loopback name (DNS rebinding) is 403. See docs/API.md.
 */
public final class AdminRoutes {
  private static final Logger LOG = LogManager.getLogger();

  /** Dials a peer, as {@code Host.dial} does. */
  @FunctionalInterface
  public interface Dialer {
    Connection dial(Multiaddr address) throws IOException;
  }

  private final Dialer dialer;
  private final MiningSwitch mining;
  private final Address defaultPayTo;
  private final int defaultThreads;

  private AdminRoutes(Dialer dialer, MiningSwitch mining, Address payTo, int threads) {
    this.dialer = dialer;
    this.mining = mining;
    this.defaultPayTo = payTo;
    this.defaultThreads = threads;
  }

  /**
   * Adds {@code POST /api/v1/admin/dial} and {@code POST /api/v1/admin/mining} to {@code api},
   * which will listen on {@code bind}: working routes if that is a loopback address, else routes
   * that answer 403. {@code payTo} (may be null) and {@code threads} are the defaults of {@code
   * mine on}.
   */
  public static void register(
      HttpApi api,
      InetSocketAddress bind,
      Dialer dialer,
      MiningSwitch mining,
      Address payTo,
      int threads) {
    if (!isLoopback(bind)) {
      HttpApi.Handler refuse =
          q -> {
            throw new ApiException(
                403,
                "admin actions are served only when the API listens on loopback (--api"
                    + " 127.0.0.1:<port>); this one listens on "
                    + bind.getHostString());
          };
      api.route("POST", "/api/v1/admin/dial", refuse);
      api.route("POST", "/api/v1/admin/mining", refuse);
      return;
    }
    AdminRoutes r = new AdminRoutes(dialer, mining, payTo, threads);
    api.route("POST", "/api/v1/admin/dial", q -> r.dial(checked(q)));
    api.route("POST", "/api/v1/admin/mining", q -> r.mining(checked(q)));
  }

  static boolean isLoopback(InetSocketAddress bind) {
    InetAddress a = bind.getAddress();
    return a != null && a.isLoopbackAddress();
  }

  /** The request's JSON body, after the checks against a browser's cross-site requests. */
  private static JsonNode checked(Request q) {
    String type = q.header("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(
          415, "admin actions take a JSON body (Content-Type: application/json)");
    }
    String host = q.header("Host");
    if (host == null || !loopbackName(host)) {
      throw new ApiException(403, "admin actions answer only requests to a loopback host name");
    }
    try {
      JsonNode body = HttpApi.JSON.readTree(q.body());
      if (body == null || !body.isObject()) {
        throw new IllegalArgumentException("the body must be a JSON object");
      }
      return body;
    } catch (IOException e) {
      throw new IllegalArgumentException("body is not valid JSON", e);
    }
  }

  /** {@code localhost}, {@code 127.x.y.z} or {@code [::1]}, with or without a port. */
  static boolean loopbackName(String hostHeader) {
    String h = hostHeader.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return h.startsWith("[::1]");
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.equals("localhost") || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** Body {@code {"address": "<multiaddr>"}}; answers the connection. */
  private Response dial(JsonNode body) {
    String text = body.path("address").asText("");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("give the peer as {\"address\": \"<multiaddr>\"}");
    }
    Multiaddr address = Multiaddr.parse(text);
    Connection c;
    try {
      c = dialer.dial(address);
    } catch (IOException e) {
      throw new ApiException(502, "cannot connect to " + text + ": " + e.getMessage());
    }
    LOG.info("Dialled {} on request of the API", c.remotePeer());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("peerId", c.remotePeer().toBase58());
    m.put("address", c.remoteAddress().toString());
    m.put("direction", c.direction().name().toLowerCase(Locale.ROOT));
    return Response.json(m);
  }

  /** Body {@code {"on": true|false, "address": "cairn1...", "threads": n}}; answers the state. */
  private Response mining(JsonNode body) {
    JsonNode on = body.get("on");
    if (on == null || !on.isBoolean()) {
      throw new IllegalArgumentException("give {\"on\": true} or {\"on\": false}");
    }
    if (on.booleanValue()) {
      Address payTo =
          body.hasNonNull("address")
              ? ChainRoutes.parseAddress(body.get("address").asText())
              : defaultPayTo;
      if (payTo == null) {
        throw new IllegalArgumentException(
            "this node has no --miner-address: give {\"on\": true, \"address\": \"cairn1...\"}");
      }
      int threads = body.path("threads").asInt(defaultThreads);
      if (threads < 1 || threads > Runtime.getRuntime().availableProcessors() * 4) {
        throw new IllegalArgumentException("threads must be between 1 and 4 per core");
      }
      if (mining.start(payTo, threads)) {
        LOG.info("Mining to {} on {} threads (API)", payTo, threads);
      }
    } else if (mining.stop()) {
      LOG.info("Mining stopped (API)");
    }
    return Response.json(StatusPage.miningJson(mining.state()));
  }
}
