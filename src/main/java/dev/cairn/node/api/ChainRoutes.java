package dev.cairn.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainStoppedException;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.TxLookup;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.AddressFormatException;
import dev.cairn.chain.model.Amount;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.node.api.HttpApi.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The chain's part of the HTTP API: head, blocks, transactions, accounts, the mempool and
 * transaction submission. Reads come from the published {@link ChainView} where it suffices and
 * otherwise ask the chain owner, waiting at most {@link #OWNER_TIMEOUT} (then 503). See docs/API.md
 * for the JSON shapes.
 */
public final class ChainRoutes {
  /** How long a request waits for the chain owner before answering 503. */
  static final Duration OWNER_TIMEOUT = Duration.ofSeconds(10);

  /** Most transaction ids {@code /mempool} lists (and the default). */
  public static final int MEMPOOL_LIST_MAX = 1000;

  private static final HexFormat HEX = HexFormat.of();

  private final ChainService chain;
  private final java.util.function.Function<
          dev.cairn.chain.model.Transaction,
          java.util.concurrent.CompletableFuture<dev.cairn.chain.mempool.Mempool.Admission>>
      submit;

  private ChainRoutes(
      ChainService chain,
      java.util.function.Function<
              dev.cairn.chain.model.Transaction,
              java.util.concurrent.CompletableFuture<dev.cairn.chain.mempool.Mempool.Admission>>
          submit) {
    this.chain = chain;
    this.submit = submit;
  }

  /**
   * Adds the chain routes under {@code /api/v1/} to {@code api}; submitted transactions go through
   * {@code submit} (the node's: into the mempool, then gossiped).
   */
  public static void register(
      HttpApi api,
      ChainService chain,
      java.util.function.Function<
              dev.cairn.chain.model.Transaction,
              java.util.concurrent.CompletableFuture<dev.cairn.chain.mempool.Mempool.Admission>>
          submit) {
    ChainRoutes r = new ChainRoutes(chain, submit);
    api.route("GET", "/api/v1/head", q -> Response.json(r.head()));
    api.route("GET", "/api/v1/blocks/{id}", q -> Response.json(r.block(q.param("id"))));
    api.route("GET", "/api/v1/txs/{id}", q -> Response.json(r.transaction(q.param("id"))));
    api.route("POST", "/api/v1/txs", r::submit);
    api.route(
        "GET", "/api/v1/accounts/{address}", q -> Response.json(r.account(q.param("address"))));
    api.route("GET", "/api/v1/mempool", q -> Response.json(r.mempool(q.param("limit"))));
  }

  private Map<String, Object> head() {
    ChainView view = chain.view();
    Map<String, Object> m = header(view.head(), view.headHash());
    m.put("cumulativeWork", view.cumulativeWork().toString());
    return m;
  }

  private Map<String, Object> block(String id) {
    Optional<Block> block;
    if (id.matches("[0-9]{1,19}")) {
      block = await(chain.blockAt(Long.parseLong(id)));
    } else if (id.matches("[0-9a-fA-F]{64}")) {
      block = await(chain.block(Hash.parse(id.toLowerCase(java.util.Locale.ROOT))));
    } else {
      throw new IllegalArgumentException(
          "a block is named by its height or its 64-hex-digit hash, got '" + id + "'");
    }
    Block b = block.orElseThrow(() -> new ApiException(404, "no block " + id));
    Hash hash = b.hash();
    Map<String, Object> m = header(b.header(), hash);
    ChainView view = chain.view();
    Optional<BlockHeader> recent = view.recentHeader(b.header().height());
    boolean canonical =
        recent.isPresent()
            ? recent.get().hash().equals(hash)
            : canonicalByLookup(b.header().height(), hash);
    m.put("canonical", canonical);
    m.put("confirmations", canonical ? view.height() - b.header().height() + 1 : 0);
    m.put("size", b.encodedSize());
    m.put("transactions", b.transactions().stream().map(t -> t.id().toString()).toList());
    return m;
  }

  private boolean canonicalByLookup(long height, Hash hash) {
    return await(chain.blockAt(height)).map(c -> c.hash().equals(hash)).orElse(false);
  }

  private static Map<String, Object> header(BlockHeader h, Hash hash) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hash", hash.toString());
    m.put("height", h.height());
    m.put("parent", h.parent().toString());
    m.put("version", h.version());
    m.put("merkleRoot", h.merkleRoot().toString());
    m.put("miner", h.miner().text());
    m.put("timestamp", h.timestamp());
    m.put("bits", String.format("0x%08x", h.bits()));
    m.put("nonce", Long.toUnsignedString(h.nonce()));
    return m;
  }

  private Map<String, Object> transaction(String id) {
    Hash h = parseHash(id, "transaction id");
    TxLookup found =
        await(chain.transaction(h))
            .orElseThrow(() -> new ApiException(404, "no transaction " + id));
    Map<String, Object> m = transactionJson(found.transaction());
    if (found.pending()) {
      m.put("status", "pending");
    } else {
      m.put("status", "confirmed");
      m.put("block", found.block().toString());
      m.put("height", found.height());
      m.put("index", found.index());
      m.put("confirmations", chain.view().height() - found.height() + 1);
    }
    return m;
  }

  private static Map<String, Object> transactionJson(Transaction tx) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", tx.id().toString());
    m.put("chainId", tx.chainId());
    m.put("from", tx.sender().text());
    m.put("to", tx.recipient().text());
    m.put("amount", tx.amount());
    m.put("fee", tx.fee());
    m.put("nonce", tx.nonce());
    m.put("senderKey", HEX.formatHex(tx.senderKey()));
    m.put("signature", HEX.formatHex(tx.signature()));
    m.put("raw", HEX.formatHex(ChainCodec.encode(tx)));
    return m;
  }

  private Map<String, Object> account(String text) {
    Address address = parseAddress(text);
    Account a = await(chain.account(address)).orElse(new Account(0, 0));
    List<Transaction> pending = await(chain.mempool(address, Integer.MAX_VALUE));
    long next = a.nonce();
    for (Transaction t : pending) {
      if (t.nonce() == next) {
        next++;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", address.text());
    m.put("balance", a.balance());
    m.put("balanceCoins", Amount.format(a.balance()));
    m.put("nonce", a.nonce());
    m.put("pendingTransactions", pending.size());
    m.put("nextNonce", next);
    m.put("height", chain.view().height());
    return m;
  }

  private Map<String, Object> mempool(String limitText) {
    int limit = limit(limitText, MEMPOOL_LIST_MAX, MEMPOOL_LIST_MAX);
    List<Transaction> txs = await(chain.mempool(null, limit));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", chain.view().mempoolSize());
    m.put("transactions", txs.stream().map(t -> t.id().toString()).toList());
    return m;
  }

  /**
   * Body: the canonical encoding of the signed transaction (docs/PROTOCOL.md) as hex, either bare
   * or as {@code {"tx": "<hex>"}}.
   */
  private Response submit(HttpApi.Request request) {
    Transaction tx = decodeBody(request.body());
    Mempool.Admission a = await(submit.apply(tx));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", tx.id().toString());
    m.put("outcome", a.outcome().name().toLowerCase(java.util.Locale.ROOT));
    if (a.accepted() || a.outcome() == Mempool.Outcome.DUPLICATE) {
      return Response.json(202, m);
    }
    String why =
        (a.reason() != null
                ? a.reason().name().toLowerCase(java.util.Locale.ROOT)
                : m.get("outcome"))
            + (a.detail() == null || a.detail().isEmpty() ? "" : ": " + a.detail());
    m.put("error", "transaction refused: " + why);
    return new Response(a.outcome() == Mempool.Outcome.BUSY ? 503 : 400, m, "application/json");
  }

  static Transaction decodeBody(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.startsWith("{")) {
      try {
        JsonNode node = HttpApi.JSON.readTree(text);
        JsonNode tx = node.get("tx");
        if (tx == null || !tx.isTextual()) {
          throw new IllegalArgumentException(
              "JSON body needs a \"tx\" field with the hex encoding");
        }
        text = tx.asText().strip();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("body is not valid JSON", e);
      }
    }
    if (text.startsWith("0x")) {
      text = text.substring(2);
    }
    byte[] bytes;
    try {
      bytes = HEX.parseHex(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("transaction is not hex", e);
    }
    try {
      return ChainCodec.decodeTransaction(bytes);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("not a transaction: " + e.getMessage(), e);
    }
  }

  /** A {@code ?limit=} parameter: {@code fallback} when absent, else 0 to {@code max}. */
  static int limit(String text, int fallback, int max) {
    if (text == null) {
      return fallback;
    }
    int n;
    try {
      n = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit is not a number: '" + text + "'", e);
    }
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("limit must be between 0 and " + max);
    }
    return n;
  }

  static Address parseAddress(String text) {
    try {
      return Address.parse(text);
    } catch (AddressFormatException e) {
      throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage(), e);
    }
  }

  private static Hash parseHash(String text, String what) {
    if (!text.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("a " + what + " is 64 hex digits, got '" + text + "'");
    }
    return Hash.parse(text.toLowerCase(java.util.Locale.ROOT));
  }

  /** Waits for the chain owner, at most {@link #OWNER_TIMEOUT}. */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(OWNER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ApiException(503, "the chain is busy; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ChainStoppedException) {
        throw new ApiException(503, "the chain has stopped");
      }
      throw new IllegalStateException("chain query failed", e.getCause());
    }
  }
}
