package dev.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code cairn console}: an interactive shell on a running node's HTTP API, with JLine's line
 * editing, a history file and completion of commands and their arguments. Reads go to the API's
 * JSON routes; {@code connect} and {@code mine on|off} use its admin routes, which a node serves
 * only on a loopback API (docs/API.md); {@code send}, {@code balance} and {@code block} run the
 * {@code cairn} commands of the same name against the node.
 */
final class NodeConsole {
  /** The commands, with their one-line help, in the order {@code help} lists them. */
  static final Map<String, String> COMMANDS = new java.util.LinkedHashMap<>();

  static {
    COMMANDS.put("status", "head, peers, mempool, mining and sync at a glance");
    COMMANDS.put("peers", "the connected peers");
    COMMANDS.put("sync", "sync progress: state, heights, rate, time left");
    COMMANDS.put("connect", "connect <multiaddr>: dial a peer");
    COMMANDS.put(
        "send",
        "send --keystore <file> --to <address> --amount <units> [--fee <units>]: a transfer");
    COMMANDS.put("balance", "balance <address>: an account's balance and nonce");
    COMMANDS.put("block", "block <height|hash>: a block");
    COMMANDS.put("tx", "tx <id>: a transaction");
    COMMANDS.put("mine", "mine on [address] [threads] | mine off | mine: the miner");
    COMMANDS.put("history", "the commands typed so far");
    COMMANDS.put("help", "this list");
    COMMANDS.put("exit", "leave the console (or Ctrl-D)");
  }

  static final List<String> SEND_OPTIONS =
      List.of("--keystore", "--to", "--amount", "--fee", "--nonce", "--passphrase-file");

  private final String url;
  private final NodeClient client;
  private final Map<String, String> env;
  private final LineReader reader;
  private final PrintWriter out;

  private NodeConsole(String url, Map<String, String> env, Terminal terminal, Path historyFile) {
    this.url = url;
    this.client = new NodeClient(url);
    this.env = env;
    LineReaderBuilder b =
        LineReaderBuilder.builder().terminal(terminal).appName("cairn").completer(completer());
    if (historyFile != null) {
      b.variable(LineReader.HISTORY_FILE, historyFile);
    }
    this.reader = b.build();
    this.out = terminal.writer();
  }

  /** Runs the console on the process's terminal until {@code exit} or end of input. */
  static int runOnSystemTerminal(String url, Map<String, String> env, Path historyFile)
      throws IOException {
    try (Terminal t = TerminalBuilder.builder().name("cairn").system(true).build()) {
      return new NodeConsole(url, env, t, historyFile).loop();
    }
  }

  /** Runs the console on {@code in} and {@code out} as a dumb terminal (tests, pipes). */
  static int run(
      String url, Map<String, String> env, InputStream in, OutputStream out, Path historyFile)
      throws IOException {
    try (Terminal t =
        TerminalBuilder.builder()
            .name("cairn")
            .system(false)
            .streams(in, out)
            .type(Terminal.TYPE_DUMB)
            .build()) {
      return new NodeConsole(url, env, t, historyFile).loop();
    }
  }

  private int loop() throws IOException {
    out.println("Cairn console on " + url + ". Type 'help' for the commands, Tab completes.");
    out.flush();
    try {
      while (true) {
        String line;
        try {
          line = reader.readLine("cairn> ");
        } catch (UserInterruptException e) {
          continue; // Ctrl-C drops the line being typed
        } catch (EndOfFileException e) {
          break;
        }
        List<String> words = new ArrayList<>();
        for (String w : reader.getParsedLine().words()) {
          if (!w.isBlank()) {
            words.add(w);
          }
        }
        if (words.isEmpty()) {
          continue;
        }
        String cmd = words.get(0).toLowerCase(Locale.ROOT);
        if (cmd.equals("exit") || cmd.equals("quit")) {
          break;
        }
        try {
          execute(cmd, words.subList(1, words.size()));
        } catch (IOException | IllegalArgumentException e) {
          out.println("error: " + e.getMessage());
        }
        out.flush();
      }
    } finally {
      reader.getHistory().save();
      out.flush();
    }
    return 0;
  }

  private void execute(String cmd, List<String> args) throws IOException {
    switch (cmd) {
      case "help" -> COMMANDS.forEach((c, h) -> out.printf("  %-8s %s%n", c, h));
      case "status" -> status();
      case "peers" -> peers();
      case "sync" -> out.println(sync(client.get("status").path("sync")));
      case "connect" -> connect(args);
      case "mine" -> mine(args);
      case "tx" -> {
        need(args, 1, "tx <id>");
        out.println(NodeClient.pretty(client.get("txs/" + args.get(0))));
      }
      case "send" -> delegate(prepend(List.of("tx", "send"), args));
      case "balance" -> {
        need(args, 1, "balance <address>");
        delegate(prepend(List.of("balance"), args));
      }
      case "block" -> {
        need(args, 1, "block <height|hash>");
        delegate(prepend(List.of("block"), args));
      }
      case "history" -> {
        for (History.Entry e : reader.getHistory()) {
          out.printf("%5d  %s%n", e.index() + 1, e.line());
        }
      }
      default -> out.println("unknown command '" + cmd + "'; type 'help'");
    }
  }

  private static void need(List<String> args, int n, String usage) {
    if (args.size() < n) {
      throw new IllegalArgumentException("usage: " + usage);
    }
  }

  private static List<String> prepend(List<String> first, List<String> rest) {
    List<String> all = new ArrayList<>(first);
    all.addAll(rest);
    return all;
  }

  private void status() throws IOException {
    JsonNode s = client.get("status");
    JsonNode m = client.get("mining");
    out.printf(
        "network %s (chain %d), peer %s%n",
        s.path("network").asText(), s.path("chainId").asInt(), s.path("peerId").asText());
    out.printf(
        "head    %d %s (work %s)%n",
        s.path("headHeight").asLong(), s.path("headHash").asText(), s.path("headWork").asText());
    out.printf(
        "peers   %d, mempool %d%n", s.path("peerCount").asLong(), s.path("mempoolSize").asLong());
    out.println("mining  " + mining(m));
    out.println(sync(s.path("sync")));
  }

  private static String mining(JsonNode m) {
    return m.path("mining").asBoolean()
        ? String.format(
            "on, %d threads, %d H/s, paying %s (%d blocks found)",
            m.path("threads").asInt(),
            m.path("hashRate").asLong(),
            m.path("address").asText(),
            m.path("blocksFound").asLong())
        : "off";
  }

  static String sync(JsonNode s) {
    if ("SYNCING".equals(s.path("state").asText())) {
      long eta = s.path("etaSeconds").asLong(-1);
      return String.format(
          "sync    syncing %d/%d from %d peers, %.1f blocks/s, %s left",
          s.path("headHeight").asLong(),
          s.path("targetHeight").asLong(),
          s.path("peers").asInt(),
          s.path("blocksPerSecond").asDouble(),
          eta < 0 ? "unknown time" : eta + " s");
    }
    return "sync    in sync at height " + s.path("headHeight").asLong();
  }

  private void peers() throws IOException {
    JsonNode peers = client.get("peers");
    if (peers.isEmpty()) {
      out.println("no peers");
      return;
    }
    for (JsonNode p : peers) {
      out.printf(
          "%s  %-8s  %s  %s  standing %s%n",
          p.path("peerId").asText(),
          p.path("direction").asText(),
          p.path("address").asText(),
          p.path("agent").asText(),
          p.path("standing").asText());
    }
  }

  private void connect(List<String> args) throws IOException {
    need(args, 1, "connect <multiaddr>");
    JsonNode c = client.post("admin/dial", json(Map.of("address", args.get(0))));
    out.printf("connected to %s at %s%n", c.path("peerId").asText(), c.path("address").asText());
  }

  private void mine(List<String> args) throws IOException {
    if (args.isEmpty()) {
      out.println("mining " + mining(client.get("mining")));
      return;
    }
    Map<String, Object> body = new HashMap<>();
    switch (args.get(0).toLowerCase(Locale.ROOT)) {
      case "on" -> {
        body.put("on", true);
        if (args.size() > 1) {
          body.put("address", Main.parseAddress(args.get(1), "mine on").text());
        }
        if (args.size() > 2) {
          try {
            body.put("threads", Integer.parseInt(args.get(2)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("threads is not a number: '" + args.get(2) + "'");
          }
        }
      }
      case "off" -> body.put("on", false);
      default ->
          throw new IllegalArgumentException("usage: mine on [address] [threads] | mine off");
    }
    out.println("mining " + mining(client.post("admin/mining", json(body))));
  }

  private static String json(Map<String, ?> body) throws IOException {
    return NodeClient.JSON.writeValueAsString(body);
  }

  /**
   * Runs a {@code cairn} command against this node, printing to the console. A keystore passphrase
   * neither in a file nor in {@code CAIRN_PASSPHRASE} is asked for here, masked.
   */
  private void delegate(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.add(args.get(0).equals("tx") ? 2 : 1, "--node");
    all.add(args.get(0).equals("tx") ? 3 : 2, url);
    Map<String, String> commandEnv = new HashMap<>(env);
    if (args.get(0).equals("tx")
        && !args.contains("--passphrase-file")
        && !env.containsKey(Passphrases.ENV)) {
      reader.setVariable(LineReader.DISABLE_HISTORY, true); // never keep a passphrase
      try {
        commandEnv.put(Passphrases.ENV, reader.readLine("Passphrase: ", '*'));
      } finally {
        reader.setVariable(LineReader.DISABLE_HISTORY, false);
      }
    }
    picocli.CommandLine cl = Main.commandLine(commandEnv);
    cl.setOut(out);
    cl.setErr(out);
    cl.execute(all.toArray(String[]::new));
  }

  /** Completes command names, {@code mine}'s on/off and {@code send}'s options. */
  static Completer completer() {
    return (reader, line, candidates) -> {
      List<String> words = line.words();
      int i = line.wordIndex();
      if (i == 0) {
        COMMANDS.keySet().forEach(c -> candidates.add(new Candidate(c)));
        return;
      }
      String cmd = words.get(0);
      if (cmd.equals("mine") && i == 1) {
        candidates.add(new Candidate("on"));
        candidates.add(new Candidate("off"));
      } else if (cmd.equals("send")) {
        SEND_OPTIONS.stream()
            .filter(o -> !words.subList(0, i).contains(o))
            .forEach(o -> candidates.add(new Candidate(o)));
      }
    };
  }
}
