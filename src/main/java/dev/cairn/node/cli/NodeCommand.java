package dev.cairn.node.cli;

import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.node.config.Settings;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn node}: runs a node until interrupted.
 *
 * <p>Every setting comes from, in order of precedence: the flag, the environment variable {@code
 * CAIRN_<FLAG>} ({@code CAIRN_DATA_DIR}), the config file ({@code --config} or {@code
 * CAIRN_CONFIG}; see {@link Settings}), the built-in default. Flags therefore carry no picocli
 * default values: an unset flag is null, and {@link #config} fills it from the lower layers. (A
 * picocli {@code IDefaultValueProvider} runs before {@code --config} is parsed, so it could not
 * read a file named by a flag.)
 */
@Command(
    name = "node",
    description = "Run a Cairn node until stopped (Ctrl-C).",
    footer = {
      "",
      "Each flag can also be set by the environment variable CAIRN_<FLAG> (CAIRN_DATA_DIR,"
          + " CAIRN_API, ...) or by 'flag = value' in the config file; flags win, then the"
          + " environment, then the file. Repeatable flags take comma-separated lists there."
    })
final class NodeCommand implements java.util.concurrent.Callable<Integer> {
  static final String DEFAULT_NETWORK = "dev";
  static final String DEFAULT_LISTEN = "/ip4/127.0.0.1/tcp/4001";
  static final String DEFAULT_API = "127.0.0.1:8645";

  /** The setting keys: the flag names without dashes. */
  static final Set<String> KEYS =
      Set.of(
          "network",
          "data-dir",
          "listen",
          "bootnode",
          "node-key-file",
          "mine",
          "miner-address",
          "miner-threads",
          "api",
          "genesis-file",
          "log-level",
          "enable-perf",
          "mem-limit",
          "peer-mem-limit");

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "<file>",
      description = "Config file of 'key = value' lines (keys are flag names). Env: CAIRN_CONFIG")
  Path configFile;

  @Option(
      names = "--network",
      paramLabel = "<name>",
      description = "Network to join (dev, test); part of every protocol id. Default: dev")
  String network;

  @Option(
      names = "--genesis-file",
      paramLabel = "<file>",
      description =
          "Network file (JSON, docs/PROTOCOL.md) to use instead of the built-in one; its name must"
              + " equal --network.")
  Path genesisFile;

  @Option(
      names = "--listen",
      paramLabel = "<multiaddr>",
      description = "Address to listen on (repeatable). Default: " + DEFAULT_LISTEN)
  List<String> listen;

  @Option(
      names = "--data-dir",
      paramLabel = "<dir>",
      description = "Directory for the node's key and data. Default: ~/.cairn")
  Path dataDir;

  @Option(
      names = {"--node-key-file", "--key-file"},
      paramLabel = "<file>",
      description = "Node identity key file (created if missing). Default: <data-dir>/node.key")
  Path keyFile;

  @Option(
      names = {"--bootnode", "--peer"},
      paramLabel = "<multiaddr>",
      description =
          "Peer to connect to at start, e.g. /ip4/127.0.0.1/tcp/4001/p2p/<peer id> (repeatable).")
  List<String> peers;

  @Option(
      names = "--api",
      paramLabel = "<host:port>",
      description =
          "Where the HTTP API listens (port 0 picks one; 'off' disables it). Default: "
              + DEFAULT_API)
  String api;

  @Option(
      names = "--mine",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "<true|false>",
      description = "Mine blocks (needs --miner-address).")
  Boolean mine;

  @Option(
      names = "--miner-address",
      paramLabel = "<address>",
      description = "Address that receives mined rewards and fees (cairn1...).")
  String minerAddress;

  @Option(
      names = "--miner-threads",
      paramLabel = "<n>",
      description = "Nonce-search threads. Default: 1")
  Integer minerThreads;

  @Option(
      names = "--enable-perf",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "<true|false>",
      description =
          "Serve /perf/1.0.0 (libp2p throughput test; a client may ask for up to 64 GiB). Default:"
              + " off")
  Boolean enablePerf;

  @Option(
      names = "--mem-limit",
      paramLabel = "<size>",
      description =
          "Memory all peers together may make the node hold (stream windows, buffers), e.g. 96MiB,"
              + " 1GiB. Default: 96MiB, sized with --peer-mem-limit for 50 peers in a 256 MiB heap")
  String memLimit;

  @Option(
      names = "--peer-mem-limit",
      paramLabel = "<size>",
      description = "Memory one peer may make the node hold. Default: 16MiB")
  String peerMemLimit;

  @Option(
      names = "--log-level",
      paramLabel = "<level>",
      description = "Log level of Cairn's loggers: ERROR, WARN, INFO, DEBUG, TRACE. Default: INFO")
  String logLevel;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = config();
    Node node = Node.start(config);
    // Completes with null when the process is asked to stop, with the reason when an owner died.
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // looked up here, not in a static field: picocli makes a NodeCommand for every
                  // command line, and log4j's start costs the client commands a second
                  Logger log = LogManager.getLogger(NodeCommand.class);
                  log.info("Stopping");
                  node.close();
                  outcome.complete(null);
                }));
    node.ownerStopped().thenAccept(outcome::complete);
    if (outcome.get() == null) {
      return 0;
    }
    // An owner died (logged at ERROR by the node): exit non-zero; the shutdown hook closes the
    // rest.
    return 1;
  }

  /** Flags over environment over config file over defaults; also applies the log level. */
  NodeConfig config() throws IOException {
    Map<String, String> env = Main.env(spec);
    Path file = configFile;
    if (file == null && env.get(Settings.CONFIG_ENV) != null) {
      file = Path.of(env.get(Settings.CONFIG_ENV));
    }
    Settings s = Settings.load(KEYS, env, file);
    String level = logLevel != null ? logLevel : s.get("log-level").orElse(null);
    if (level != null) {
      setLogLevel(level);
    }
    Path dir =
        dataDir != null
            ? dataDir
            : s.get("data-dir")
                .map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cairn"));
    Path key =
        keyFile != null
            ? keyFile
            : s.get("node-key-file").map(Path::of).orElse(dir.resolve("node.key"));
    List<String> listenAddrs =
        listen != null ? listen : s.list("listen").orElse(List.of(DEFAULT_LISTEN));
    List<String> boot = peers != null ? peers : s.list("bootnode").orElse(List.of());
    String miner = minerAddress != null ? minerAddress : s.get("miner-address").orElse(null);
    String name = network != null ? network : s.get("network").orElse(DEFAULT_NETWORK);
    return NodeConfig.of(
        name,
        dir,
        c -> {
          c.nodeKeyFile = key;
          c.listen = listenAddrs.stream().map(Multiaddr::parse).toList();
          c.bootnodes = boot.stream().map(Multiaddr::parse).toList();
          c.api = parseHostPort(api != null ? api : s.get("api").orElse(DEFAULT_API));
          c.mine = mine != null ? mine : s.bool("mine").orElse(false);
          c.minerAddress = miner == null ? null : Main.parseAddress(miner, "--miner-address");
          c.minerThreads =
              minerThreads != null ? minerThreads : s.integer("miner-threads").orElse(1);
          c.genesisFile =
              genesisFile != null ? genesisFile : s.get("genesis-file").map(Path::of).orElse(null);
          c.enablePerf = enablePerf != null ? enablePerf : s.bool("enable-perf").orElse(false);
          String mem = memLimit != null ? memLimit : s.get("mem-limit").orElse(null);
          if (mem != null) {
            c.memLimit = parseSize(mem, "--mem-limit");
          }
          String peerMem =
              peerMemLimit != null ? peerMemLimit : s.get("peer-mem-limit").orElse(null);
          if (peerMem != null) {
            c.peerMemLimit = parseSize(peerMem, "--peer-mem-limit");
          }
        });
  }

  private static void setLogLevel(String name) {
    Level level = Level.getLevel(name.toUpperCase(java.util.Locale.ROOT));
    if (level == null) {
      throw new IllegalArgumentException(
          "--log-level wants ERROR, WARN, INFO, DEBUG or TRACE, got '" + name + "'");
    }
    Configurator.setLevel("dev.cairn", level);
  }

  /**
   * A size in bytes: a number with an optional unit, {@code k}/{@code KiB}, {@code m}/{@code MiB},
   * {@code g}/{@code GiB} (powers of 1024; case and a trailing {@code B} do not matter).
   */
  static long parseSize(String text, String flag) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.endsWith("ib")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    long unit = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        default -> unit = 1;
      }
    }
    if (unit > 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t.trim());
      if (n < 0 || n > Long.MAX_VALUE / unit) {
        throw new NumberFormatException("out of range");
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          flag + " wants a size such as 96MiB, 512k or 1g, got '" + text + "'", e);
    }
  }

  /** {@code host:port}, {@code :port} (localhost) or {@code off}. */
  static InetSocketAddress parseHostPort(String text) {
    if (text.equals("off")) {
      return null;
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--api wants host:port, got '" + text + "'");
    }
    String host = colon == 0 ? "127.0.0.1" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--api port is not a number: '" + text + "'", e);
    }
    return new InetSocketAddress(host, port);
  }
}
