package dev.cairn.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainService;
import dev.cairn.chain.CheapChain;
import dev.cairn.chain.consensus.GenesisFile;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.ChildProcess;
import dev.cairn.testing.Http;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Node processes for the multi-node ITs: each {@code cairn node} runs from {@code target/cairn.jar}
 * in its own JVM ({@code -Xmx256m}, started by {@link ChildProcess}) on its own 127.0.0.x address,
 * with its API on that address. Also runs the CLI's client commands as processes. Closing stops
 * every process it started. As a JUnit extension ({@code @RegisterExtension}) it makes a fresh
 * directory for each test ({@link #dir()}) and stops the processes after it.
 */
final class NodeProcesses implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
  static final ObjectMapper JSON = Http.JSON;
  private static final Pattern LISTENING = Pattern.compile("Listening on (\\S+)");
  private static final Pattern API = Pattern.compile("API listening on (http://\\S+)");

  /** Dev network key i's address (seed SHA-256("cairn dev key i")), prefunded on dev. */
  static final String DEV0 = "cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va";

  static final String DEV1 = "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp";

  private Path tmp;
  private ChildProcess.Group group = new ChildProcess.Group();

  /** For {@code @RegisterExtension}: a directory and a group of processes per test. */
  NodeProcesses() {}

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    tmp = Files.createTempDirectory("cairn-it-");
    group = new ChildProcess.Group();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    close();
    try (java.util.stream.Stream<Path> all = Files.walk(tmp)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** The directory the nodes' data directories are in. */
  Path dir() {
    return tmp;
  }

  /** A running node: its process, its log lines so far and where it listens. */
  record NodeProcess(String name, String ip, Path dataDir, ChildProcess child) {
    Process process() {
      return child.process();
    }

    List<String> lines() {
      return child.lines();
    }

    /** The peer id this node logs in its listen address. */
    String peerId() {
      return Multiaddr.parse(listenAddress()).peerId().orElseThrow().toBase58();
    }

    /** The head's cumulative work, or zero if the node does not answer. */
    BigInteger work() {
      JsonNode s = status();
      return s == null ? BigInteger.ZERO : new BigInteger(s.get("headWork").asText());
    }

    String listenAddress() {
      return child.await(LISTENING, Duration.ofSeconds(40));
    }

    String apiUrl() {
      return child.await(API, Duration.ofSeconds(40));
    }

    String find(Pattern p) {
      return child.find(p);
    }

    boolean logged(String text) {
      return child.logged(text);
    }

    /** GET {@code /api/v1/<path>} as JSON, or null if the node did not answer 200. */
    JsonNode get(String path) {
      return Http.json(apiUrl() + "/api/v1/" + path);
    }

    JsonNode status() {
      return get("status");
    }

    /** Whether this node's API reports transaction {@code txId} as confirmed. */
    boolean confirmed(String txId) {
      JsonNode tx = get("txs/" + txId);
      return tx != null && tx.get("status").asText().equals("confirmed");
    }

    /** Head height, or -1 if the node does not answer. */
    long height() {
      JsonNode s = status();
      return s == null ? -1 : s.get("headHeight").asLong();
    }

    /** Hash of the canonical block at {@code height}, or null. */
    String hashAt(long height) {
      JsonNode b = get("blocks/" + height);
      return b == null ? null : b.get("hash").asText();
    }

    /** SIGTERM (the node closes its store), then waits for the exit. */
    void stop() {
      child.stop();
    }

    @Override
    public String toString() {
      return name + "@" + ip;
    }
  }

  /**
   * Starts {@code cairn node} on {@code ip} with data in {@code <tmp>/<name>} plus {@code args}.
   */
  NodeProcess start(String name, String ip, String... args) throws IOException {
    Path dir = tmp.resolve(name);
    List<String> cmd = new ArrayList<>();
    cmd.add("node");
    cmd.addAll(
        List.of(
            "--listen", "/ip4/" + ip + "/tcp/0", "--data-dir", dir.toString(), "--api", ip + ":0"));
    cmd.addAll(List.of(args));
    ChildProcess p = group.start(ChildProcess.cairn(cmd.toArray(String[]::new)).name(name));
    return new NodeProcess(name, ip, dir, p);
  }

  /** Runs a client command ({@code cairn tx send ...}); returns its stdout, fails on exit != 0. */
  String cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
    ChildProcess p = ChildProcess.cairn(args).name("cli").env(env).stderrApart().start();
    String what = "cairn " + String.join(" ", args);
    int code = p.exitCode(Duration.ofSeconds(60));
    if (code != 0) {
      throw new AssertionError(what + " exited " + code + ": " + p.errors());
    }
    return String.join("\n", p.lines()).trim();
  }

  static JsonNode getJson(String url) {
    return Http.json(url);
  }

  /**
   * Writes a dev chain of {@code n} empty blocks into {@code <tmp>/<name>/chain}, the store a node
   * started as {@code name} opens. The timestamps lie between genesis and now, spaced wider than
   * the 2 s schedule, so ASERT lowers the difficulty toward the limit and the chain takes a second
   * or two to build instead of the minutes a live miner needs once ASERT has raised it.
   */
  List<Block> prebuildDevChain(String name, int n, Address miner) throws Exception {
    NetworkParams dev = GenesisFile.load("dev");
    long span = System.currentTimeMillis() - dev.genesisTimestamp() - 120_000;
    long spacing = Math.min(120_000, span / (n + 1));
    if (spacing <= dev.blockTimeMillis()) {
      throw new IllegalStateException("too little time since the dev genesis for " + n + " blocks");
    }
    return store(name, dev, ChainFixture.branch(dev, dev.genesisHeader(), n, spacing, miner));
  }

  /**
   * Writes the attacker's dev chain of the issue into {@code <tmp>/<name>/chain}: {@code n} valid
   * blocks that cost almost nothing ({@link CheapChain#cheap}: block 1 just after genesis, the
   * others stamped now, so all but the first two are mined at the proof-of-work limit).
   */
  List<Block> prebuildCheapDevChain(String name, int n, Address miner) throws Exception {
    NetworkParams dev = GenesisFile.load("dev");
    List<Block> blocks = CheapChain.cheap(dev, n, System.currentTimeMillis() - 1_000, miner);
    return store(name, dev, blocks);
  }

  /** Imports {@code blocks} into the store a node started as {@code name} opens. */
  private List<Block> store(String name, NetworkParams dev, List<Block> blocks) throws Exception {
    try (ChainService chain =
        ChainService.start(
            dev,
            ChainConfig.defaults().withSyncWrites(false),
            tmp.resolve(name).resolve("chain"),
            Clock.systemUTC())) {
      for (Block b : blocks) {
        var r = chain.importBlock(b, "prebuilt").get(10, TimeUnit.SECONDS);
        if (!r.imported()) {
          throw new IllegalStateException("prebuilt block " + b.header().height() + ": " + r);
        }
      }
    }
    return blocks;
  }

  @Override
  public void close() {
    group.close();
  }
}
