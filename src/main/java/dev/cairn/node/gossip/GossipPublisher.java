package dev.cairn.node.gossip;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The publisher threads: each task (a publish that may wait for the router, a penalty that may wait
 * for the host) on its own virtual thread {@code gossip-publish}, off the chain owner's and the
 * router workers'. {@link #close} refuses new tasks, interrupts the running ones and waits for
 * them, so nothing publishes into a router or host that is stopping.
 */
final class GossipPublisher {
  private static final Logger LOG = LogManager.getLogger(NodeGossip.class);

  /** How long {@link #close} waits for the publisher threads to finish. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final ExecutorService threads;

  GossipPublisher() {
    this("gossip-publish");
  }

  /** With threads named {@code name}. */
  GossipPublisher(String name) {
    threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name).factory());
  }

  /** Runs {@code task} on a new publisher thread; after {@link #close}, drops it. */
  void run(Runnable task) {
    try {
      threads.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("publishing stopped: a task was dropped");
    }
  }

  boolean closed() {
    return threads.isShutdown();
  }

  /** A publish failed: WARN, unless publishing is stopping (then the failure is expected). */
  void failed(String what, Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (closed()) {
      LOG.debug("publishing stopped; {} not published: {}", what, cause.toString());
    } else {
      LOG.warn("could not publish {}: {}", what, cause.toString());
    }
  }

  void close() {
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("gossip publisher threads still running {} after close", CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
