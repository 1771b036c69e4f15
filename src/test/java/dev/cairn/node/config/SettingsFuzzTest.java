package dev.cairn.node.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.testing.Fuzz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Fuzzes the config file reader: a bad line is an {@link IllegalArgumentException} naming the line,
 * an unreadable file an {@link IOException}; nothing else escapes.
 */
class SettingsFuzzTest {
  private static final Path FILE = Fuzz.tempFile("cairn-settings-fuzz", "cairn.conf");
  private static final Set<String> KEYS = Set.of("network", "port", "data-dir", "peers", "mine");

  @FuzzTest(maxDuration = "10s")
  void configFileParsesOrIsRefused(byte[] input) throws Exception {
    Files.write(FILE, input);
    Fuzz.bounded(
        input,
        512,
        0,
        Exception.class,
        () -> {
          try {
            return Settings.parseFile(FILE, KEYS);
          } catch (IllegalArgumentException | IOException e) {
            return null;
          }
        });
  }
}
