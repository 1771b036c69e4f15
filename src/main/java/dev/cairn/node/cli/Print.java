package dev.cairn.node.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** A command's output lines: to its command line's out or err writer, flushed at once. */
final class Print {
  private Print() {}

  /** Prints {@code line} to standard output (what scripts read). */
  static void out(CommandSpec spec, String line) {
    println(spec.commandLine().getOut(), line);
  }

  /** Prints {@code line} to standard error (notes for the user). */
  static void err(CommandSpec spec, String line) {
    println(spec.commandLine().getErr(), line);
  }

  private static void println(PrintWriter w, String line) {
    w.println(line);
    w.flush();
  }
}
