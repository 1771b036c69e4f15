package dev.cairn.node.cli;

import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Keys;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.node.wallet.Keystore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn wallet new|import|list|address}: keystore files (see {@link Keystore}). The wallet
 * directory is {@code --dir}, else {@code <CAIRN_DATA_DIR>/wallets}, else {@code ~/.cairn/wallets}
 * (the default node data directory's {@code wallets}).
 */
@Command(
    name = "wallet",
    description = "Create and inspect keystores (Ed25519 keys encrypted by a passphrase).",
    subcommands = {
      WalletCommand.New.class,
      WalletCommand.Import.class,
      WalletCommand.ListCmd.class,
      WalletCommand.AddressCmd.class
    })
final class WalletCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static Path walletDir(CommandSpec spec, Path dir) {
    if (dir != null) {
      return dir;
    }
    String data = Main.env(spec).get("CAIRN_DATA_DIR");
    Path base =
        data != null && !data.isBlank()
            ? Path.of(data)
            : Path.of(System.getProperty("user.home"), ".cairn");
    return base.resolve("wallets");
  }

  /**
   * A command that stores one key in a new keystore file: {@code --keystore} (default {@code
   * <dir>/<address>.json}), {@code --dir} and the passphrase options, then prints the address.
   */
  abstract static class SaveKey implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options.NewKeystore keystore;
    @Mixin Options.WalletDir dir;
    @Mixin Options.PassphraseFile passphrase;

    /** The key to store. */
    abstract SigningKey key();

    @Override
    public Integer call() throws Exception {
      SigningKey key = key();
      Path file =
          keystore.file != null
              ? keystore.file
              : dir.resolve().resolve(key.address().text() + ".json");
      if (Files.exists(file)) {
        throw new IOException("keystore " + file + " already exists; not overwriting it");
      }
      char[] pass = passphrase.read(true);
      try {
        Keystore.write(file, key, pass, Keystore.DEFAULT_PARAMS, new SecureRandom());
      } finally {
        Arrays.fill(pass, ' ');
      }
      Print.out(spec, key.address().text());
      Print.err(spec, "Keystore written to " + file);
      return 0;
    }
  }

  @Command(name = "new", description = "Create a new key in a keystore file and print its address.")
  static final class New extends SaveKey {
    @Override
    SigningKey key() {
      return SigningKey.generate(new SecureRandom());
    }
  }

  @Command(
      name = "import",
      description = "Store an existing key (a 32-byte Ed25519 seed) in a keystore file.")
  static final class Import extends SaveKey {
    static final class Source {
      @Option(
          names = "--seed-hex",
          paramLabel = "<hex>",
          description = "The seed as 64 hex digits.")
      String seedHex;

      @Option(
          names = "--dev-key",
          paramLabel = "<i>",
          description = "Dev network prefunded key i (0-3): seed SHA-256(\"cairn dev key <i>\").")
      Integer devKey;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Override
    SigningKey key() {
      byte[] seed;
      if (source.devKey != null) {
        seed =
            Hash.sha256(("cairn dev key " + source.devKey).getBytes(StandardCharsets.US_ASCII))
                .bytes();
      } else {
        try {
          seed = HexFormat.of().parseHex(source.seedHex.strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--seed-hex is not hex", e);
        }
        if (seed.length != Keys.SEED_SIZE) {
          throw new IllegalArgumentException("--seed-hex wants 32 bytes (64 hex digits)");
        }
      }
      return SigningKey.fromSeed(seed);
    }
  }

  @Command(
      name = "list",
      description = "List the keystores in the wallet directory: address and file.")
  static final class ListCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options.WalletDir dir;

    @Override
    public Integer call() throws Exception {
      Path d = dir.resolve();
      PrintWriter out = spec.commandLine().getOut();
      if (!Files.isDirectory(d)) {
        Print.err(spec, "No wallet directory " + d);
        return 0;
      }
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
        s.forEach(files::add);
      }
      files.sort(null);
      for (Path f : files) {
        try {
          out.println(Keystore.address(f).text() + "  " + f);
        } catch (IOException e) {
          spec.commandLine().getErr().println("Skipping " + f + ": " + e.getMessage());
        }
      }
      out.flush();
      spec.commandLine().getErr().flush();
      return 0;
    }
  }

  @Command(name = "address", description = "Print a keystore's address (no passphrase needed).")
  static final class AddressCmd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options.Keystore keystore;

    @Override
    public Integer call() throws Exception {
      Print.out(spec, Keystore.address(keystore.file).text());
      return 0;
    }
  }
}
