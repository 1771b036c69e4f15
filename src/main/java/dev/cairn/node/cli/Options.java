package dev.cairn.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options several commands share, as picocli mixins ({@code @Mixin Options.PassphraseFile
 * passphrase;}), so that each flag is spelled and described once. {@code --node} is {@link
 * ClientCommands.NodeOption}.
 */
final class Options {
  private Options() {}

  /** {@code --passphrase-file <file>}, else {@code CAIRN_PASSPHRASE}, else a prompt. */
  static final class PassphraseFile {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--passphrase-file",
        paramLabel = "<file>",
        description = "Read the passphrase from this file. Else CAIRN_PASSPHRASE, else a prompt.")
    Path file;

    /** The passphrase ({@link Passphrases#read}); {@code confirm} asks twice at a prompt. */
    char[] read(boolean confirm) throws IOException {
      return Passphrases.read(spec, file, confirm);
    }
  }

  /** {@code --dir <dir>}: the wallet directory (see {@link WalletCommand#walletDir}). */
  static final class WalletDir {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "<dir>",
        description = "Wallet directory. Default: $CAIRN_DATA_DIR/wallets or ~/.cairn/wallets")
    Path dir;

    /** The directory given, else the default one. */
    Path resolve() {
      return WalletCommand.walletDir(spec, dir);
    }
  }

  /** {@code --keystore <file>} of a keystore to create; by default one named by its address. */
  static final class NewKeystore {
    @Option(
        names = "--keystore",
        paramLabel = "<file>",
        description = "Keystore file to create. Default: <wallet dir>/<address>.json")
    Path file;
  }

  /** {@code --keystore <file>} of an existing keystore (required). */
  static final class Keystore {
    @Option(
        names = "--keystore",
        paramLabel = "<file>",
        required = true,
        description = "Keystore file.")
    Path file;
  }
}
