package dev.cairn.p2p.host;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deadline for blocking I/O that has no timeout of its own: when it expires it runs an action
 * that wakes the blocked thread (closing the socket or resetting the stream). {@link #expired()}
 * tells the woken thread that time ran out rather than the peer closing.
 */
public final class Deadline implements AutoCloseable {
  private final AtomicBoolean expired = new AtomicBoolean();
  private final ScheduledFuture<?> task;

  Deadline(ScheduledExecutorService timer, Duration timeout, Runnable onExpiry) {
    ScheduledFuture<?> scheduled;
    try {
      scheduled =
          timer.schedule(
              () -> {
                expired.set(true);
                onExpiry.run();
              },
              timeout.toNanos(),
              TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the host is closing: the operation is cut short at once
      expired.set(true);
      onExpiry.run();
      scheduled = null;
    }
    this.task = scheduled;
  }

  /** True once the deadline fired (the blocked I/O was woken because time ran out). */
  public boolean expired() {
    return expired.get();
  }

  /** Cancels the deadline; returns false if it already expired. */
  boolean cancel() {
    if (task != null) {
      task.cancel(false);
    }
    return !expired.get();
  }

  /** Cancels the deadline (if it has not fired). */
  @Override
  public void close() {
    cancel();
  }
}
