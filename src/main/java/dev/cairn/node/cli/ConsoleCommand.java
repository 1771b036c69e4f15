package dev.cairn.node.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn console}: the interactive shell of {@link NodeConsole}. */
@Command(
    name = "console",
    description = {
      "An interactive shell on a running node: status, peers, sync, connect, send, balance,"
          + " block, tx, mine on|off. Line editing, history and Tab completion.",
      "connect and mine need the node's API on a loopback address (the default)."
    })
final class ConsoleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientCommands.NodeOption node;

  @Option(
      names = "--history-file",
      paramLabel = "<file>",
      description = "Where the command history is kept. Default: ~/.cairn/console_history")
  Path historyFile;

  @Override
  public Integer call() throws Exception {
    String url = node.url();
    new NodeClient(url); // checks the URL before the terminal opens
    Path history =
        historyFile != null
            ? historyFile
            : Path.of(System.getProperty("user.home"), ".cairn", "console_history");
    return NodeConsole.runOnSystemTerminal(url, Main.env(spec), history);
  }
}
