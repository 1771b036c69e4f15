package dev.cairn.node.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a keystore passphrase comes from: {@code --passphrase-file} (first line; the trailing
 * newline is not part of it), else {@code CAIRN_PASSPHRASE}, else a prompt on the terminal.
 */
final class Passphrases {
  static final String ENV = "CAIRN_PASSPHRASE";

  private Passphrases() {}

  static char[] read(CommandSpec spec, Path file, boolean confirm) throws IOException {
    char[] p;
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IOException("no passphrase file " + file);
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      p = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "").toCharArray();
    } else if (Main.env(spec).get(ENV) != null) {
      p = Main.env(spec).get(ENV).toCharArray();
    } else {
      Console console = System.console();
      if (console == null) {
        throw new IllegalArgumentException(
            "no passphrase: give --passphrase-file <file>, set " + ENV + ", or run in a terminal");
      }
      p = console.readPassword("Passphrase: ");
      if (p == null) {
        throw new IllegalArgumentException("no passphrase entered");
      }
      if (confirm) {
        char[] again = console.readPassword("Passphrase again: ");
        if (again == null || !Arrays.equals(p, again)) {
          throw new IllegalArgumentException("the passphrases differ");
        }
        Arrays.fill(again, ' ');
      }
    }
    if (confirm && p.length == 0) {
      throw new IllegalArgumentException("an empty passphrase is not allowed");
    }
    return p;
  }
}
