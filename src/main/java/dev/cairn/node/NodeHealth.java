package dev.cairn.node;

import dev.cairn.node.api.HttpApi.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Whether every owner of the node still runs (DESIGN.md: "if an owner dies, the node reports
 * unhealthy and stops"). Owners: the chain service, the gossip router, the sync manager, the
 * connection manager and the Kademlia table. Each says {@code isRunning()} and, when an exception
 * stopped it, its {@code failure()}.
 *
 * <p>{@link #report()} serves {@code GET /api/v1/health}: 200 while all run, 503 with the reason
 * when one has stopped. A watchdog thread ({@code node-watchdog}) looks every {@link #PERIOD}; the
 * first time it finds an owner stopped while the node is not closing, it logs ERROR with the cause
 * and completes {@link #ownerStopped()}, on which {@code cairn node} exits non-zero.
 */
final class NodeHealth {
  private static final Logger LOG = LogManager.getLogger();

  /** How often the watchdog looks at the owners. */
  static final Duration PERIOD = Duration.ofMillis(500);

  /** One owner: its name (as the API reports it), whether it runs, and what stopped it. */
  record Owner(String name, BooleanSupplier running, Supplier<Optional<Throwable>> failure) {}

  private final List<Owner> owners;
  private final CompletableFuture<String> stopped = new CompletableFuture<>();

  NodeHealth(List<Owner> owners) {
    this.owners = List.copyOf(owners);
  }

  /** Why the node is unhealthy (the first stopped owner and its cause), or empty while healthy. */
  Optional<String> problem() {
    for (Owner o : owners) {
      if (!o.running().getAsBoolean()) {
        return Optional.of(o.name() + " stopped" + o.failure().get().map(t -> ": " + t).orElse(""));
      }
    }
    return Optional.empty();
  }

  /** The answer of {@code GET /api/v1/health}. */
  Response report() {
    Map<String, Object> body = new LinkedHashMap<>();
    Map<String, Object> each = new LinkedHashMap<>();
    for (Owner o : owners) {
      each.put(o.name(), o.running().getAsBoolean() ? "running" : "stopped");
    }
    Optional<String> problem = problem();
    body.put("status", problem.isEmpty() ? "ok" : "unhealthy");
    problem.ifPresent(p -> body.put("error", p));
    body.put("owners", each);
    return Response.json(problem.isEmpty() ? 200 : 503, body);
  }

  /** Completes with the reason when the watchdog finds an owner stopped; never while healthy. */
  CompletableFuture<String> ownerStopped() {
    return stopped;
  }

  /** Starts the watchdog; it ends when {@code closing} opens (a deliberate stop is no death). */
  void watch(CountDownLatch closing) {
    Thread.ofVirtual().name("node-watchdog").start(() -> loop(closing));
  }

  private void loop(CountDownLatch closing) {
    try {
      while (!closing.await(PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
        Optional<String> problem = problem();
        if (problem.isPresent()) {
          if (closing.getCount() == 0) {
            return; // stopped because the node is closing
          }
          // The owner logged its cause's stack trace when it stopped; this line names it again.
          LOG.error("Node unhealthy, stopping: {}", problem.get());
          stopped.complete(problem.get());
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
