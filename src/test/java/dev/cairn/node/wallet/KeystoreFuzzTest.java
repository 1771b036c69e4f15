package dev.cairn.node.wallet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the keystore reader: a damaged file is an {@link IOException} (a wrong passphrase its
 * subclass), nothing else; the scrypt parameters a file names must not run us out of memory.
 */
class KeystoreFuzzTest {
  private static final Path FILE = Fuzz.tempFile("cairn-keystore-fuzz", "key.json");

  /** Twice what scrypt needs with the parameters we write (128 r N bytes: 32 MiB). */
  private static final long SCRYPT_MEMORY = 2L * 128 * 8 * (1 << 15);

  @FuzzTest(maxDuration = "10s")
  void keystoreFileReadsOrIsRefused(byte[] input) throws Exception {
    Files.write(FILE, input);
    Fuzz.bounded(input, 512, 0, IOException.class, () -> Keystore.address(FILE));
    Fuzz.bounded(
        input,
        512,
        SCRYPT_MEMORY,
        IOException.class,
        () -> Keystore.read(FILE, "passphrase".toCharArray()));
  }
}
