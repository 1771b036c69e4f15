package dev.cairn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts live threads, virtual ones included: {@code Thread.getAllStackTraces()} only sees platform
 * threads, so this reads the JDK's JSON thread dump, which lists every thread.
 */
public final class Threads {
  private Threads() {}

  /**
   * Names of all live threads (platform and virtual) whose name starts with one of the prefixes.
   * Pass prefixes that name the thing under test (its peer id, its address), not a whole kind of
   * thread: other tests' objects in this JVM may still be running or closing.
   */
  public static List<String> named(String... prefixes) {
    try {
      Path dump = Files.createTempFile("threads", ".json");
      Files.delete(dump);
      try {
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        JsonNode root = new ObjectMapper().readTree(dump.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode container : root.path("threadDump").path("threadContainers")) {
          for (JsonNode t : container.path("threads")) {
            String name = t.path("name").asText("");
            for (String p : prefixes) {
              if (name.startsWith(p)) {
                out.add(name);
                break;
              }
            }
          }
        }
        return out;
      } finally {
        Files.deleteIfExists(dump);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
