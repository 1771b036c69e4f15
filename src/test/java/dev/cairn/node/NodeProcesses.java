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
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node processes for the multi-node ITs: each {@code cairn node} runs from {@code target/cairn.jar}
 * in its own JVM ({@code -Xmx256m}) on its own 127.0.0.x address, with its API on that address.
 * Also runs the CLI's client commands as processes. Closing stops every process it started.
 */
final class NodeProcesses implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("Listening on (\\S+)");
  private static final Pattern API = Pattern.compile("API listening on (http://\\S+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Dev network key i's address (seed SHA-256("cairn dev key i")), prefunded on dev. */
  static final String DEV0 = "cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va";

  static final String DEV1 = "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp";

  private final Path tmp;
  private final List<NodeProcess> started = new CopyOnWriteArrayList<>();

  NodeProcesses(Path tmp) {
    this.tmp = tmp;
  }

  /** A running node: its process, its log lines so far and where it listens. */
  record NodeProcess(String name, String ip, Path dataDir, Process process, List<String> lines) {
    String listenAddress() {
      Await.until(
          () -> find(LISTENING) != null, Duration.ofSeconds(40), name + " logs its address");
      return find(LISTENING);
    }

    String apiUrl() {
      Await.until(() -> find(API) != null, Duration.ofSeconds(40), name + " logs its API URL");
      return find(API);
    }

    String find(Pattern p) {
      for (String l : lines) {
        Matcher m = p.matcher(l);
        if (m.find()) {
          return m.group(1);
        }
      }
      return null;
    }

    boolean logged(String text) {
      return lines.stream().anyMatch(l -> l.contains(text));
    }

    /** GET {@code /api/v1/<path>} as JSON, or null if the node did not answer 200. */
    JsonNode get(String path) {
      return getJson(apiUrl() + "/api/v1/" + path);
    }

    JsonNode status() {
      return get("status");
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
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
    List<String> cmd = new ArrayList<>(java());
    cmd.add("node");
    cmd.addAll(
        List.of(
            "--listen", "/ip4/" + ip + "/tcp/0", "--data-dir", dir.toString(), "--api", ip + ":0"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual().name("log-" + name).start(() -> pump(p, lines));
    NodeProcess n = new NodeProcess(name, ip, dir, p, lines);
    started.add(n);
    return n;
  }

  /** Runs a client command ({@code cairn tx send ...}); returns its stdout, fails on exit != 0. */
  String cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(java());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.start();
    List<String> err = new CopyOnWriteArrayList<>();
    Thread pumpErr = Thread.ofVirtual().start(() -> pump(p, err, true));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("cairn " + String.join(" ", args) + " did not end");
    }
    pumpErr.join(5000);
    if (p.exitValue() != 0) {
      throw new AssertionError(
          "cairn " + String.join(" ", args) + " exited " + p.exitValue() + ": " + err);
    }
    return out;
  }

  private static List<String> java() {
    return List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx256m",
        "-jar",
        Path.of("target", "cairn.jar").toAbsolutePath().toString());
  }

  private static void pump(Process p, List<String> lines) {
    pump(p, lines, false);
  }

  private static void pump(Process p, List<String> lines, boolean stderr) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                stderr ? p.getErrorStream() : p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  static JsonNode getJson(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
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
    List<Block> blocks = new ArrayList<>();
    BlockHeader parent = dev.genesisHeader();
    for (int i = 0; i < n; i++) {
      Block b = ChainFixture.mine(dev, parent, miner, List.of(), parent.timestamp() + spacing);
      blocks.add(b);
      parent = b.header();
    }
    return store(name, dev, blocks);
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
    started.forEach(NodeProcess::stop);
  }
}
