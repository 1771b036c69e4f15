package dev.cairn.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Cairn: a proof-of-work blockchain node whose peers speak libp2p.",
    subcommands = {NodeCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  // a user's mistake or an unreachable resource: one clear line, no stack trace
                  if (e instanceof IllegalArgumentException
                      || e instanceof java.io.IOException
                      || e instanceof dev.cairn.chain.model.AddressFormatException) {
                    cmd.getErr().println("cairn: " + e.getMessage());
                    return 1;
                  }
                  throw e;
                })
            .execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
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
