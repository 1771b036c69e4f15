package dev.cairn.node.api;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.api.HttpApi.Response;
import dev.cairn.node.miner.MiningSwitch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's status page at {@code /}: one HTML page, its script and style sheet, all resources in
 * the jar (no CDN: it works offline), and the small read-only JSON routes it polls besides {@code
 * /api/v1/status}, {@code /head} and {@code /peers}: recent blocks, the best-paying pending
 * transactions, the miner and the last hour of height and peers. It only reads; it is served on the
 * API's address, so the API's bind rules apply to it.
 */
public final class StatusPage {
  /** Where the page's files live on the class path. */
  static final String ASSETS = "/dev/cairn/node/api/status/";

  /** Most recent blocks {@code /api/v1/blocks} lists (and its default). */
  public static final int BLOCKS_MAX = 100;

  /** Most transactions {@code /api/v1/mempool/top} lists. */
  public static final int TOP_MAX = 100;

  private static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8");

  private StatusPage() {}

  /** Adds the page and its routes to {@code api}. */
  public static void register(
      HttpApi api, ChainService chain, MiningSwitch mining, StatusHistory history) {
    Map<String, String> files = new LinkedHashMap<>();
    TYPES.keySet().forEach(name -> files.put(name, read(name)));
    api.route("GET", "/", q -> Response.text(files.get("index.html"), TYPES.get("index.html")));
    api.route(
        "GET",
        "/status/{file}",
        q -> {
          String name = q.param("file");
          if (!files.containsKey(name)) {
            throw new ApiException(404, "not found");
          }
          return Response.text(files.get(name), TYPES.get(name));
        });
    api.route("GET", "/api/v1/blocks", q -> Response.json(recentBlocks(chain.view(), q)));
    api.route(
        "GET",
        "/api/v1/mempool/top",
        q -> Response.json(topTransactions(chain, limit(q, 10, TOP_MAX))));
    api.route("GET", "/api/v1/mining", q -> Response.json(miningJson(mining.state())));
    api.route("GET", "/api/v1/history", q -> Response.json(historyJson(history)));
  }

  private static String read(String name) {
    try (InputStream in = StatusPage.class.getResourceAsStream(ASSETS + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the status page's " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int limit(HttpApi.Request q, int fallback, int max) {
    return ChainRoutes.limit(q.param("limit"), fallback, max);
  }

  /** The last canonical headers the chain's view carries, newest first. */
  private static List<Map<String, Object>> recentBlocks(ChainView view, HttpApi.Request q) {
    int limit = limit(q, 20, BLOCKS_MAX);
    List<BlockHeader> headers = view.recentHeaders();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = headers.size() - 1; i >= 0 && out.size() < limit; i--) {
      BlockHeader h = headers.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hash", h.hash().toString());
      m.put("height", h.height());
      m.put("timestamp", h.timestamp());
      m.put("miner", h.miner().text());
      m.put("bits", String.format("0x%08x", h.bits()));
      out.add(m);
    }
    return out;
  }

  /** The highest-fee pending transactions, best first. */
  private static Map<String, Object> topTransactions(ChainService chain, int limit) {
    List<Transaction> txs = ChainRoutes.await(chain.mempool(null, limit));
    List<Map<String, Object>> list = new ArrayList<>();
    for (Transaction t : txs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", t.id().toString());
      m.put("fee", t.fee());
      m.put("amount", t.amount());
      m.put("from", t.sender().text());
      m.put("to", t.recipient().text());
      list.add(m);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", chain.view().mempoolSize());
    m.put("transactions", list);
    return m;
  }

  static Map<String, Object> miningJson(MiningSwitch.State s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mining", s.on());
    m.put("address", s.payTo() == null ? null : s.payTo().text());
    m.put("threads", s.threads());
    m.put("hashRate", Math.round(s.hashRate()));
    m.put("blocksFound", s.blocksFound());
    return m;
  }

  private static Map<String, Object> historyJson(StatusHistory history) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("intervalSeconds", history.interval().toSeconds());
    m.put("samples", history.samples());
    return m;
  }
}
