package dev.cairn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A js-libp2p peer in a child process ({@code node interop/js/peer.mjs}), driven over its stdin and
 * stdout with one JSON object per line. See {@code interop/js/README.md} for the commands.
 *
 * <p>Threads: one named thread ({@code js-peer-<n>-stdout}) reads the child's stdout and completes
 * the waiting calls; any thread may call {@link #call}, and writes to the child's stdin are
 * serialised by a lock. The child's stderr goes to a file under {@code target/interop-logs}, so it
 * can never fill a pipe and block the child; its tail is quoted in failure messages.
 *
 * <p>Use in an {@code *InteropIT}: call {@link #assumeEnabled()} first (skips when {@code
 * -Dcairn.skipInterop=true}, fails clearly when Node.js or {@code node_modules} are missing), then
 * {@code try (JsPeer js = JsPeer.start("--ping-max-streams", "8")) { ... }}.
 */
public final class JsPeer implements AutoCloseable {
  /** System property: {@code true} skips interop tests (failsafe passes {@code skipInterop}). */
  public static final String SKIP_PROPERTY = "cairn.skipInterop";

  /** System property: directory holding {@code peer.mjs} and its {@code node_modules}. */
  public static final String DIR_PROPERTY = "cairn.interop.dir";

  /** System property: where the children's stderr logs go; default {@code target/interop-logs}. */
  public static final String LOG_DIR_PROPERTY = "cairn.interop.logDir";

  /** System property: the Node.js executable; default {@code node} from {@code PATH}. */
  public static final String NODE_PROPERTY = "cairn.node";

  /** How long a peer may take to print its ready line (measured: about 0.5 s when idle). */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  /** Default timeout of the convenience commands. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Extra time we wait beyond a command's own timeout, which the js peer enforces itself. */
  private static final Duration ANSWER_GRACE = Duration.ofSeconds(3);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int STDERR_TAIL_CHARS = 4000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final int number;
  private final Process process;
  private final Path stderrLog;
  private final OutputStream stdin;
  private final ReentrantLock stdinLock = new ReentrantLock();
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final Thread reader;
  private volatile boolean closed;
  private String peerId;
  private List<String> addrs;

  private JsPeer(int number, Process process, Path stderrLog) {
    this.number = number;
    this.process = process;
    this.stderrLog = stderrLog;
    this.stdin = process.getOutputStream();
    this.reader =
        Thread.ofPlatform()
            .name("js-peer-" + number + "-stdout")
            .daemon(true)
            .start(this::readStdout);
  }

  // ------------------------------------------------------------------------------------------
  // Availability

  /** False when interop tests are switched off with {@code -Dcairn.skipInterop=true}. */
  public static boolean enabled() {
    return !Boolean.getBoolean(SKIP_PROPERTY);
  }

  /** True when interop tests are enabled and Node.js and the installed js packages are present. */
  public static boolean available() {
    return enabled() && problem().isEmpty();
  }

  /**
   * Skips the calling test when interop is switched off; otherwise fails with a clear message when
   * Node.js or {@code node_modules} are missing, so that a broken setup is never mistaken for a
   * skipped test.
   */
  public static void assumeEnabled() {
    Assumptions.assumeTrue(enabled(), "interop tests switched off (-D" + SKIP_PROPERTY + "=true)");
    problem()
        .ifPresent(
            p -> {
              throw new IllegalStateException(p);
            });
  }

  /** The directory with {@code peer.mjs}: {@code -Dcairn.interop.dir} or {@code interop/js}. */
  public static Path interopDir() {
    String dir = System.getProperty(DIR_PROPERTY);
    return (dir == null || dir.isBlank() ? Path.of("interop", "js") : Path.of(dir))
        .toAbsolutePath()
        .normalize();
  }

  private static Optional<String> problem() {
    Path dir = interopDir();
    if (!Files.isRegularFile(dir.resolve("peer.mjs"))) {
      return Optional.of("no peer.mjs in " + dir + " (set -D" + DIR_PROPERTY + ")");
    }
    if (findNode().isEmpty()) {
      String configured = System.getProperty(NODE_PROPERTY);
      String where =
          configured == null || configured.isBlank()
              ? "no executable 'node' on PATH (or set -D" + NODE_PROPERTY + ")"
              : "-D" + NODE_PROPERTY + "=" + configured + " is not executable";
      return Optional.of(
          "Node.js not found: "
              + where
              + ". Install Node.js 20+, or skip interop tests with -DskipInterop");
    }
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      return Optional.of(
          "no node_modules in "
              + dir
              + ": run 'npm ci' there (mvn verify does it in pre-integration-test),"
              + " or skip interop tests with -DskipInterop");
    }
    return Optional.empty();
  }

  private static Optional<Path> findNode() {
    String configured = System.getProperty(NODE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, "node");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  // ------------------------------------------------------------------------------------------
  // Start and stop

  /**
   * Starts {@code node peer.mjs args...} and waits for its ready line.
   *
   * @param args peer.mjs options, e.g. {@code "--listen", "/ip4/127.0.0.1/tcp/0", "--key-seed",
   *     hex}
   * @throws IllegalStateException when Node.js or the js packages are missing, or the peer does not
   *     become ready within {@link #READY_TIMEOUT}
   */
  public static JsPeer start(String... args) {
    problem()
        .ifPresent(
            p -> {
              throw new IllegalStateException(p);
            });
    Path dir = interopDir();
    int number = COUNTER.incrementAndGet();
    List<String> command = new ArrayList<>();
    command.add(findNode().orElseThrow().toString());
    command.add(dir.resolve("peer.mjs").toString());
    command.addAll(List.of(args));
    Path stderrLog;
    Process process;
    try {
      Path logDir = logDir();
      Files.createDirectories(logDir);
      stderrLog =
          logDir.resolve("js-peer-" + ProcessHandle.current().pid() + "-" + number + ".log");
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectError(stderrLog.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    JsPeer peer = new JsPeer(number, process, stderrLog);
    try {
      JsonNode line = peer.ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      peer.peerId = line.path("peerId").asText();
      List<String> addrs = new ArrayList<>();
      line.path("addrs").forEach(a -> addrs.add(a.asText()));
      peer.addrs = List.copyOf(addrs);
      return peer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      peer.close();
      throw new IllegalStateException("interrupted while starting " + command, e);
    } catch (ExecutionException | TimeoutException e) {
      peer.close();
      String why = e instanceof TimeoutException ? "no ready line within " + READY_TIMEOUT : "";
      throw new IllegalStateException(
          "js peer did not start: " + why + " " + causeText(e) + peer.stderrTail(), e);
    }
  }

  private static Path logDir() {
    String dir = System.getProperty(LOG_DIR_PROPERTY);
    return (dir == null || dir.isBlank() ? Path.of("target", "interop-logs") : Path.of(dir))
        .toAbsolutePath();
  }

  /** Sends {@code stop}, waits briefly for a clean exit, then destroys the process. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (process.isAlive() && ready.isDone() && !ready.isCompletedExceptionally()) {
      try {
        tryCall("stop", Map.of(), STOP_TIMEOUT);
      } catch (RuntimeException e) {
        // going away anyway: destroy below
      }
    }
    closed = true;
    try {
      stdin.close();
    } catch (IOException e) {
      // the child may already be gone
    }
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
      reader.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    failPending("js peer closed");
  }

  // ------------------------------------------------------------------------------------------
  // Identity

  /** The peer's id, e.g. {@code 12D3KooW...}. */
  public String peerId() {
    return peerId;
  }

  /** The peer's listen addresses, each ending in {@code /p2p/<peerId>}. */
  public List<String> addrs() {
    return addrs;
  }

  /** The first listen address (with {@code /p2p/}); fails if the peer does not listen. */
  public String addr() {
    if (addrs.isEmpty()) {
      throw new IllegalStateException("js peer " + peerId + " does not listen");
    }
    return addrs.getFirst();
  }

  /** Where this peer's stderr is written. */
  public Path stderrLog() {
    return stderrLog;
  }

  /** Whether the node process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  // ------------------------------------------------------------------------------------------
  // Commands

  /**
   * Sends one command and waits for its answer.
   *
   * @param args the command's arguments (JSON-serialisable: strings, numbers, booleans, lists)
   * @param timeout passed to the js peer as {@code timeoutMs}; we wait a little longer for the
   *     answer
   * @return the answer, including {@code "ok":true}
   * @throws CommandFailedException when the js peer answers {@code "ok":false}
   * @throws IllegalStateException when no answer arrives (timeout, peer died)
   */
  public JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
    JsonNode answer = tryCall(cmd, args, timeout);
    if (!answer.path("ok").asBoolean(false)) {
      throw new CommandFailedException(cmd, answer);
    }
    return answer;
  }

  /** Like {@link #call} with {@link #DEFAULT_TIMEOUT}. */
  public JsonNode call(String cmd, Map<String, ?> args) {
    return call(cmd, args, DEFAULT_TIMEOUT);
  }

  /** Like {@link #call}, but returns an {@code "ok":false} answer instead of throwing. */
  public JsonNode tryCall(String cmd, Map<String, ?> args, Duration timeout) {
    long id = nextId.incrementAndGet();
    ObjectNode request = JSON.createObjectNode();
    request.put("id", id);
    request.put("cmd", cmd);
    request.put("timeoutMs", timeout.toMillis());
    request.setAll((ObjectNode) JSON.valueToTree(args));
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      send(request);
      return answer.get(timeout.plus(ANSWER_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for js " + cmd, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "no answer from js peer "
              + peerId
              + " to "
              + request
              + ": "
              + causeText(e)
              + stderrTail(),
          e);
    } finally {
      pending.remove(id);
    }
  }

  private void send(ObjectNode request) {
    if (closed || !process.isAlive()) {
      throw new IllegalStateException("js peer is not running" + stderrTail());
    }
    byte[] line;
    try {
      line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stdinLock.lock();
    try {
      stdin.write(line);
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to js peer" + stderrTail(), e);
    } finally {
      stdinLock.unlock();
    }
  }

  /** Connects to {@code addr} (a multiaddr with {@code /p2p/}); the answer has {@code peer}. */
  public JsonNode dial(String addr) {
    return call("dial", Map.of("addr", addr));
  }

  /** Pings {@code count} times; the answer has {@code rtts} (ms). Target: multiaddr or peer id. */
  public JsonNode ping(String target, int count) {
    return call("ping", target(target, Map.of("count", count)));
  }

  /** What identify learned about {@code peer} (waits for the automatic identify on connect). */
  public JsonNode identify(String peer) {
    return call("identify", Map.of("peer", peer));
  }

  /**
   * Opens {@code streams} concurrent echo streams, writes {@code bytes} random bytes on each,
   * half-closes and checks the SHA-256 of the echo.
   */
  public JsonNode echo(String target, int streams, int bytes) {
    return call("echo", target(target, Map.of("streams", streams, "bytes", bytes)));
  }

  /** One echo stream whose echo must keep arriving after our half-close. */
  public JsonNode halfClose(String target, int bytes) {
    return call("halfclose", target(target, Map.of("bytes", bytes)));
  }

  /** Runs {@code /perf/1.0.0} as the client; the answer has seconds for upload and download. */
  public JsonNode perf(String target, long upload, long download) {
    return call("perf", target(target, Map.of("upload", upload, "download", download)));
  }

  /** Connected peers, each with its connections. */
  public JsonNode peers() {
    return call("peers", Map.of());
  }

  /** Closes all connections to {@code peer}. */
  public JsonNode hangUp(String peer) {
    return call("hangup", Map.of("peer", peer));
  }

  /** A multiaddr (starts with {@code /}) goes in {@code addr}, anything else in {@code peer}. */
  private static Map<String, Object> target(String target, Map<String, ?> rest) {
    Map<String, Object> args = new java.util.LinkedHashMap<>(rest);
    args.put(target.startsWith("/") ? "addr" : "peer", target);
    return args;
  }

  // ------------------------------------------------------------------------------------------
  // Events

  /** A snapshot of all events so far ({@code {"event":...}} lines), oldest first. */
  public List<JsonNode> events() {
    return List.copyOf(events);
  }

  /** The events named {@code name} so far, e.g. {@code "connection:open"}. */
  public List<JsonNode> events(String name) {
    return events.stream().filter(e -> name.equals(e.path("event").asText())).toList();
  }

  /** Waits until an event matching {@code condition} has been seen and returns the first one. */
  public JsonNode awaitEvent(Predicate<JsonNode> condition, Duration timeout, String what) {
    Await.until(() -> events.stream().anyMatch(condition), timeout, what + " from js peer");
    return events.stream().filter(condition).findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------------------------------
  // stdout reader

  private void readStdout() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        dispatch(line);
      }
    } catch (IOException e) {
      // stdout closed under us: the process is gone or being destroyed
    } finally {
      String why = "js peer exited" + exitText() + stderrTail();
      ready.completeExceptionally(new IllegalStateException(why));
      failPending(why);
    }
  }

  private void dispatch(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      ObjectNode noise = JSON.createObjectNode();
      noise.put("event", "stdout:not-json");
      noise.put("line", line);
      events.add(noise);
      return;
    }
    if (!ready.isDone()) {
      if ("ready".equals(node.path("event").asText())) {
        ready.complete(node);
      } else {
        ready.completeExceptionally(new IllegalStateException("first line is not ready: " + line));
      }
      return;
    }
    if (node.has("id") && node.has("ok")) {
      CompletableFuture<JsonNode> waiter = pending.get(node.path("id").asLong());
      if (waiter != null) {
        waiter.complete(node);
      }
    } else {
      events.add(node);
    }
  }

  private void failPending(String why) {
    pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
  }

  private String exitText() {
    try {
      if (process.waitFor(1, TimeUnit.SECONDS)) {
        return " with code " + process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  private String stderrTail() {
    try {
      String text = Files.readString(stderrLog, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        return " (stderr empty: " + stderrLog + ")";
      }
      String tail =
          text.length() > STDERR_TAIL_CHARS
              ? "..." + text.substring(text.length() - STDERR_TAIL_CHARS)
              : text;
      return "\n--- js peer stderr (" + stderrLog + ") ---\n" + tail;
    } catch (IOException e) {
      return " (no stderr log: " + e.getMessage() + ")";
    }
  }

  private static String causeText(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return String.valueOf(cause.getMessage());
  }

  @Override
  public String toString() {
    return "JsPeer#" + number + "(" + peerId + ")";
  }

  /** The js peer answered {@code "ok":false}; {@link #answer()} has its {@code error} text. */
  public static final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient JsonNode answer;

    CommandFailedException(String cmd, JsonNode answer) {
      super("js " + cmd + " failed: " + answer.path("error").asText() + " " + answer);
      this.answer = answer;
    }

    /** The whole answer line. */
    public JsonNode answer() {
      return answer;
    }
  }
}
