package dev.cairn.owner;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One timer thread for deadlines and ticks. {@link #shared()} is the process's: one platform daemon
 * thread, {@code cairn-scheduler}, so that owners and protocols need no timer of their own (and
 * their constructors no scheduler parameter).
 *
 * <p>The timer thread itself never runs a caller's code that may block: {@link #after} runs its
 * action on a new virtual thread (a stream reset may wait for a lock), and an owner's tick only
 * offers a command to a mailbox, dropping it when full.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  private static final Scheduler SHARED = new Scheduler("cairn-scheduler");

  /** A scheduled action that may be cancelled; cancelling a finished one does nothing. */
  public interface Cancellable {
    /** Cancels the action if it has not started. */
    void cancel();

    /** True once the action has started (or was cancelled). */
    boolean isDone();
  }

  private final ScheduledThreadPoolExecutor timer;

  /**
   * A scheduler with its own timer thread named {@code name} (tests; {@link #shared} otherwise).
   */
  public static Scheduler create(String name) {
    return new Scheduler(name);
  }

  /** The process's scheduler; never closed. */
  public static Scheduler shared() {
    return SHARED;
  }

  private Scheduler(String name) {
    this.timer =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name(name).factory());
    timer.setRemoveOnCancelPolicy(true); // most deadlines are cancelled
  }

  /**
   * Runs {@code action} on a new virtual thread named {@code name} after {@code delay}, unless
   * cancelled first. After {@link #close} the action runs at once (a deadline that cannot be
   * watched any more is treated as expired).
   */
  public Cancellable after(Duration delay, String name, Runnable action) {
    Runnable start = () -> Thread.ofVirtual().name(name).start(() -> run(name, action));
    try {
      return of(timer.schedule(start, delay.toNanos(), TimeUnit.NANOSECONDS));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      start.run();
      return of(java.util.concurrent.CompletableFuture.completedFuture(null));
    }
  }

  /**
   * Runs {@code tick} on the timer thread after {@code first} and then every {@code period}; it
   * must not block (an owner's tick only offers to its mailbox).
   */
  Cancellable every(Duration first, Duration period, Runnable tick) {
    return of(
        timer.scheduleAtFixedRate(
            () -> run("tick", tick), first.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS));
  }

  private static void run(String name, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      // a periodic task that threw would never run again: log and keep it
      LOG.error("scheduled {} failed", name, e);
    }
  }

  private static Cancellable of(Future<?> f) {
    return new Cancellable() {
      @Override
      public void cancel() {
        f.cancel(false);
      }

      @Override
      public boolean isDone() {
        return f.isDone();
      }
    };
  }

  /** Stops the timer thread (not for {@link #shared()}). */
  @Override
  public void close() {
    if (this == SHARED) {
      throw new IllegalStateException("the shared scheduler is never closed");
    }
    timer.shutdownNow();
  }
}
