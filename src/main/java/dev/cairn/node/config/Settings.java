package dev.cairn.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layers below the command line: environment variables over a config file. A flag given on the
 * command line wins over both; the caller asks here only for what the flags left unset.
 *
 * <p>Keys are the {@code cairn node} flag names without the leading dashes ({@code data-dir};
 * {@code data_dir} means the same). The environment variable of a key is {@code CAIRN_} followed by
 * the key in upper case with {@code -} as {@code _} ({@code CAIRN_DATA_DIR}). A repeatable flag
 * ({@code listen}, {@code bootnode}) takes a comma-separated list in both layers.
 *
 * <p>The file format is {@code key = value} per line ({@code key: value} too), {@code #} starts a
 * comment line, values may be in double quotes; a key given twice is an error, as is a key that is
 * not a known flag, so a typo does not pass silently.
 */
public final class Settings {
  /** Environment variable naming the config file when {@code --config} is not given. */
  public static final String CONFIG_ENV = "CAIRN_CONFIG";

  private final Set<String> keys;
  private final Map<String, String> env;
  private final Map<String, String> file;
  private final Path filePath;

  private Settings(Set<String> keys, Map<String, String> env, Map<String, String> file, Path path) {
    this.keys = keys;
    this.env = env;
    this.file = file;
    this.filePath = path;
  }

  /**
   * The settings for {@code keys} from {@code env} and, if {@code configFile} is not null, that
   * file.
   */
  public static Settings load(Set<String> keys, Map<String, String> env, Path configFile)
      throws IOException {
    Map<String, String> file = configFile == null ? Map.of() : parseFile(configFile, keys);
    return new Settings(Set.copyOf(keys), Map.copyOf(env), file, configFile);
  }

  /** The environment variable of {@code key}: {@code data-dir} → {@code CAIRN_DATA_DIR}. */
  public static String envName(String key) {
    return "CAIRN_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The value of {@code key} from the environment, else from the file. */
  public Optional<String> get(String key) {
    if (!keys.contains(key)) {
      throw new IllegalArgumentException("not a setting: " + key);
    }
    String v = env.get(envName(key));
    if (v != null && !v.isBlank()) {
      return Optional.of(v.strip());
    }
    return Optional.ofNullable(file.get(key));
  }

  /** A list setting: comma-separated, blanks dropped. */
  public Optional<List<String>> list(String key) {
    return get(key)
        .map(
            v -> java.util.Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()))
        .map(java.util.stream.Stream::toList);
  }

  /** A true/false setting. */
  public Optional<Boolean> bool(String key) {
    return get(key)
        .map(
            v ->
                switch (v.toLowerCase(Locale.ROOT)) {
                  case "true", "yes", "1", "on" -> true;
                  case "false", "no", "0", "off" -> false;
                  default ->
                      throw new IllegalArgumentException(
                          key + " must be true or false, got '" + v + "'" + where());
                });
  }

  /** An integer setting. */
  public Optional<Integer> integer(String key) {
    return get(key)
        .map(
            v -> {
              try {
                return Integer.parseInt(v);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                    key + " must be a whole number, got '" + v + "'" + where(), e);
              }
            });
  }

  private String where() {
    return filePath == null ? "" : " (environment or " + filePath + ")";
  }

  static Map<String, String> parseFile(Path path, Set<String> keys) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new IOException("no config file " + path);
    }
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("[")) {
        continue; // [sections] are allowed as headings and mean nothing
      }
      int eq = line.indexOf('=');
      int colon = line.indexOf(':');
      int sep = eq < 0 ? colon : (colon < 0 ? eq : Math.min(eq, colon));
      String at = path + " line " + (i + 1);
      if (sep <= 0) {
        throw new IllegalArgumentException(at + ": expected 'key = value'");
      }
      String key = line.substring(0, sep).strip().toLowerCase(Locale.ROOT).replace('_', '-');
      if (key.startsWith("--")) {
        key = key.substring(2);
      }
      String value = line.substring(sep + 1).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (!keys.contains(key)) {
        throw new IllegalArgumentException(
            at
                + ": unknown key '"
                + key
                + "' (known: "
                + String.join(", ", new java.util.TreeSet<>(keys))
                + ")");
      }
      if (out.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException(at + ": '" + key + "' given twice");
      }
    }
    return out;
  }
}
