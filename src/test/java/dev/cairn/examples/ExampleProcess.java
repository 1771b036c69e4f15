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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JVM started from the packaged jar, with its output collected line by line. */
record ExampleProcess(Process process, List<String> lines, CompletableFuture<Void> eof) {

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
    return collect(pb.start());
  }

  /**
   * {@code bin/cairn <args...>} (with {@code -Xmx256m}) as a new user runs it: a JDK 17 first on
   * the PATH when this machine has one and, if the JDK running the tests is one {@code bin/jdk.sh}
   * finds by itself (under {@code /usr/lib/jvm}), no {@code JAVA_HOME}.
   */
  static ExampleProcess launcher(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of("bin", "cairn").toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    var env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CAIRN_"));
    env.put("CAIRN_JAVA_OPTS", "-Xmx256m");
    String home = System.getProperty("java.home");
    env.put("JAVA_HOME", home);
    Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin");
    if (java.nio.file.Files.isDirectory(jdk17)) {
      env.put("PATH", jdk17 + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
      if (home.startsWith("/usr/lib/jvm/")) {
        env.remove("JAVA_HOME");
      }
    }
    return collect(pb.start());
  }

  private static ExampleProcess collect(Process p) {
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> eof = new CompletableFuture<>();
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
              eof.complete(null);
            });
    return new ExampleProcess(p, lines, eof);
  }

  /** A line Cairn's log layout printed: {@code yyyy-MM-dd HH:mm:ss.SSS LEVEL [thread] ...}. */
  static final Pattern CAIRN_LOG_LINE =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (\\w+) +\\[");

  /** The JVM's {@code WARNING} lines and Cairn's WARN and ERROR log lines. */
  List<String> warningsAndErrors() {
    return lines.stream()
        .filter(
            l -> {
              Matcher m = CAIRN_LOG_LINE.matcher(l);
              return l.startsWith("WARNING")
                  || (m.find() && (m.group(1).equals("WARN") || m.group(1).equals("ERROR")));
            })
        .toList();
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

  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and reads its output to the end. */
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
    try {
      eof.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // output not read to the end; lines holds what was
    }
  }

  @Override
  public String toString() {
    return String.join("\n", lines.stream().filter(l -> !l.startsWith("WARNING:")).toList());
  }
}
