package dev.cairn.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one launcher of the process tests: a child JVM (or {@code bin/cairn}) whose stdout and stderr
 * are collected line by line, with waits on those lines and a stop that never leaves the child
 * behind. Children run on the JDK that runs the tests (a JDK 21+, as {@code bin/cairn} requires)
 * unless launched through {@code bin/cairn} itself; {@code CAIRN_*} variables of the test's
 * environment are not passed on. Start several in a {@link Group}, which stops them all on close.
 */
public final class ChildProcess implements AutoCloseable {
  /** The packaged jar, built by {@code mvn package} before the ITs run. */
  public static final Path JAR = Path.of("target", "cairn.jar").toAbsolutePath();

  /** A line Cairn's log layout printed: {@code yyyy-MM-dd HH:mm:ss.SSS LEVEL [thread] ...}. */
  public static final Pattern CAIRN_LOG_LINE =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (\\w+) +\\[");

  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> eof = new CompletableFuture<>();
  private final CompletableFuture<Void> errEof = new CompletableFuture<>();

  private ChildProcess(String name, Process process, boolean stderrApart) {
    this.name = name;
    this.process = process;
    Thread.ofVirtual().name("log-" + name).start(() -> pump(process.getInputStream(), lines, eof));
    if (stderrApart) {
      Thread.ofVirtual()
          .name("err-" + name)
          .start(() -> pump(process.getErrorStream(), errors, errEof));
    } else {
      errEof.complete(null);
    }
  }

  /** {@code java -jar target/cairn.jar <args>}: the node and its CLI as a user runs them. */
  public static Launch cairn(String... args) {
    return new Launch("cairn", List.of("-jar", JAR.toString()), List.of(args));
  }

  /** {@code java -cp target/cairn.jar <mainClass> <args>}: a program packaged in the jar. */
  public static Launch jarMain(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>(List.of("-cp", JAR.toString(), mainClass));
    return new Launch(simple(mainClass), cmd, List.of(args));
  }

  /** {@code java -cp <the tests' class path> <main> <args>}: a test's own child program. */
  public static Launch testMain(Class<?> main, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    return new Launch(main.getSimpleName(), cmd, List.of(args));
  }

  /**
   * {@code bin/cairn <args>} as a new user runs it: a JDK 17 first on the PATH when this machine
   * has one and, if the JDK running the tests is one {@code bin/jdk.sh} finds by itself (under
   * {@code /usr/lib/jvm}), no {@code JAVA_HOME}. The heap goes in {@code CAIRN_JAVA_OPTS}.
   */
  public static Launch binCairn(String... args) {
    Launch l = new Launch("bin/cairn", List.of(), List.of(args));
    l.launcher = true;
    return l;
  }

  private static String simple(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /** What to start; {@link #start()} starts it. Defaults: {@code -Xmx256m}, no extra options. */
  public static final class Launch {
    private String name;
    private final List<String> command;
    private final List<String> args;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String heap = "-Xmx256m";
    private boolean launcher;
    private boolean stderrApart;

    private Launch(String name, List<String> command, List<String> args) {
      this.name = name;
      this.command = command;
      this.args = args;
    }

    /** The name in thread names and messages. */
    public Launch name(String name) {
      this.name = name;
      return this;
    }

    /** The heap bound, e.g. {@code -Xmx128m}. */
    public Launch heap(String xmx) {
      this.heap = xmx;
      return this;
    }

    /** Extra JVM options before the main class or jar. */
    public Launch jvm(String... options) {
      jvmOptions.addAll(List.of(options));
      return this;
    }

    /** Environment variables added to the child's. */
    public Launch env(Map<String, String> vars) {
      env.putAll(vars);
      return this;
    }

    /** Collects stderr apart ({@link #errors()}) instead of among the output lines. */
    public Launch stderrApart() {
      this.stderrApart = true;
      return this;
    }

    /** Starts the child. */
    public ChildProcess start() throws IOException {
      List<String> cmd = new ArrayList<>();
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(!stderrApart);
      Map<String, String> environment = pb.environment();
      environment.keySet().removeIf(k -> k.startsWith("CAIRN_"));
      if (launcher) {
        cmd.add(Path.of("bin", "cairn").toAbsolutePath().toString());
        environment.put("CAIRN_JAVA_OPTS", String.join(" ", withHeap()));
        String home = System.getProperty("java.home");
        environment.put("JAVA_HOME", home);
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin");
        if (Files.isDirectory(jdk17)) {
          environment.put(
              "PATH", jdk17 + File.pathSeparator + environment.getOrDefault("PATH", ""));
          if (home.startsWith("/usr/lib/jvm/")) {
            environment.remove("JAVA_HOME");
          }
        }
      } else {
        cmd.add(java());
        cmd.addAll(withHeap());
        cmd.addAll(command);
      }
      cmd.addAll(args);
      environment.putAll(env);
      return new ChildProcess(name, pb.start(), stderrApart);
    }

    private List<String> withHeap() {
      List<String> all = new ArrayList<>();
      all.add(heap);
      all.addAll(jvmOptions);
      return all;
    }
  }

  /** The {@code java} of the JDK running the tests. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void pump(InputStream in, List<String> into, CompletableFuture<Void> end) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        into.add(line);
      }
    } catch (IOException e) {
      // the process ended
    }
    end.complete(null);
  }

  public String name() {
    return name;
  }

  public Process process() {
    return process;
  }

  /** The output lines so far (a live view). */
  public List<String> lines() {
    return lines;
  }

  /** The stderr lines, when launched with {@link Launch#stderrApart()}. */
  public List<String> errors() {
    return errors;
  }

  public boolean logged(String text) {
    return lines.stream().anyMatch(l -> l.contains(text));
  }

  /** The first group of the first line {@code p} finds, or null. */
  public String find(Pattern p) {
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return m.groupCount() == 0 ? m.group() : m.group(1);
      }
    }
    return null;
  }

  /**
   * Waits until a line matches {@code pattern} and returns its first group; fails early when the
   * child exits before printing it.
   */
  public String await(Pattern pattern, Duration timeout) {
    awaitLine(l -> pattern.matcher(l).find(), timeout, "output matching " + pattern);
    return find(pattern);
  }

  /** Waits until a line contains {@code text}. */
  public void awaitLogged(String text, Duration timeout) {
    awaitLine(l -> l.contains(text), timeout, "a line with '" + text + "'");
  }

  /** Waits until a line satisfies {@code line}; fails early when the child has exited without. */
  public void awaitLine(Predicate<String> line, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines.stream().noneMatch(line)) {
      if (eof.isDone() && lines.stream().noneMatch(line)) {
        throw new AssertionError(name + " ended before it printed " + what + "\n" + tail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + name
                + " to print "
                + what
                + "\n"
                + tail(40));
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  /** Writes a line to the child's stdin. */
  public void say(String text) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits for the exit and the end of the output; returns the exit code. */
  public int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " still running after " + timeout + "\n" + this);
    }
    awaitEof();
    return process.exitValue();
  }

  /** The JVM's {@code WARNING} lines and Cairn's WARN and ERROR log lines. */
  public List<String> warningsAndErrors() {
    return lines.stream()
        .filter(
            l -> {
              Matcher m = CAIRN_LOG_LINE.matcher(l);
              return l.startsWith("WARNING")
                  || (m.find() && (m.group(1).equals("WARN") || m.group(1).equals("ERROR")));
            })
        .toList();
  }

  /** SIGTERM (a node closes its store), SIGKILL after 20 s; then reads the output to the end. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    awaitEof();
  }

  /** SIGKILL ({@code kill -9}): the child gets no chance to flush or close anything. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " survived SIGKILL");
    }
    awaitEof();
  }

  private void awaitEof() {
    try {
      CompletableFuture.allOf(eof, errEof).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // output not read to the end; lines holds what was
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The last {@code n} lines, headed by the name. */
  public String tail(int n) {
    List<String> copy = List.copyOf(lines);
    return "--- "
        + name
        + "\n"
        + String.join("\n", copy.subList(Math.max(0, copy.size() - n), copy.size()));
  }

  @Override
  public String toString() {
    return String.join("\n", lines.stream().filter(l -> !l.startsWith("WARNING:")).toList());
  }

  /** Children started together and stopped together: SIGTERM to all first, then the waits. */
  public static final class Group implements AutoCloseable {
    private final List<ChildProcess> children = new CopyOnWriteArrayList<>();

    /** Starts {@code launch} and stops it when the group closes. */
    public ChildProcess start(Launch launch) throws IOException {
      ChildProcess c = launch.start();
      children.add(c);
      return c;
    }

    public List<ChildProcess> children() {
      return children;
    }

    @Override
    public void close() {
      children.forEach(c -> c.process.destroy());
      children.forEach(ChildProcess::stop);
    }
  }
}
