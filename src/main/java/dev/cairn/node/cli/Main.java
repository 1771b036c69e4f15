package dev.cairn.node.cli;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.AddressFormatException;
import dev.cairn.chain.store.StoreException;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} command line. Commands read the environment through {@link #env(CommandSpec)},
 * so tests can pass their own map to {@link #Main(Map)}.
 */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    // every subcommand gets --help and --version from here instead of declaring them itself
    scope = ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    description = "Cairn: a proof-of-work blockchain node whose peers speak libp2p.",
    subcommands = {
      NodeCommand.class,
      WalletCommand.class,
      TxCommand.class,
      ClientCommands.Balance.class,
      ClientCommands.Status.class,
      ClientCommands.Health.class,
      ClientCommands.Peers.class,
      ClientCommands.BlockQuery.class,
      ConsoleCommand.class
    })
public final class Main implements Runnable {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  /** Reads the process environment. */
  public Main() {
    this(System.getenv());
  }

  /** Reads {@code env} instead of the process environment. */
  public Main(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    int code = commandLine(System.getenv()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * The command line with Cairn's error handling: a user's mistake or an unreachable resource is
   * one line {@code cairn: <message>} on stderr and exit code 1 (2 for a bad flag), never a stack
   * trace.
   */
  public static CommandLine commandLine(Map<String, String> env) {
    return new CommandLine(new Main(env))
        .setParameterExceptionHandler(
            (e, args) -> {
              CommandLine cmd = e.getCommandLine();
              cmd.getErr()
                  .println(
                      "cairn: "
                          + e.getMessage()
                          + " (see '"
                          + cmd.getCommandSpec().qualifiedName()
                          + " --help')");
              return 2;
            })
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              // A store that cannot be opened (damaged, another network, another schema) is the
              // operator's to fix, not a bug: one line, as for a bad flag.
              if (e instanceof IllegalArgumentException
                  || e instanceof IOException
                  || e instanceof AddressFormatException
                  || e instanceof StoreException) {
                cmd.getErr().println("cairn: " + e.getMessage());
                return 1;
              }
              throw e;
            });
  }

  /** The environment of the command line {@code spec} belongs to. */
  static Map<String, String> env(CommandSpec spec) {
    return spec.root().userObject() instanceof Main m ? m.env : System.getenv();
  }

  /** Parses an address given for {@code what}, with the reason in a one-line message. */
  static Address parseAddress(String text, String what) {
    try {
      return Address.parse(text);
    } catch (AddressFormatException e) {
      throw new IllegalArgumentException(
          "bad address for " + what + " '" + text + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cairn " + (v == null ? "dev" : v)};
    }
  }
}
