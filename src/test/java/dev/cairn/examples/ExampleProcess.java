package dev.cairn.examples;

import dev.cairn.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JVM started from the packaged jar, with its output collected line by line. */
record ExampleProcess(Process process, List<String> lines) {

  /** {@code java -Xmx256m -cp target/cairn.jar <args...>}. */
  static ExampleProcess start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(Path.of("target", "cairn.jar").toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_"));
    Process p = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // process ended
              }
            });
    return new ExampleProcess(p, lines);
  }

  /** The first group of {@code pattern} in the output, waiting up to {@code timeout}. */
  String await(Pattern pattern, Duration timeout) {
    Await.until(() -> find(pattern) != null, timeout, "output matching " + pattern + "\n" + this);
    return find(pattern);
  }

  String find(Pattern p) {
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  /** Waits for the exit and returns its code. */
  int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + timeout + "\n" + this);
    }
    return process.exitValue();
  }

  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return String.join("\n", lines.stream().filter(l -> !l.startsWith("WARNING:")).toList());
  }
}
