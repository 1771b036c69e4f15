package dev.cairn.owner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The thread and the mailbox around one piece of state (DESIGN.md "one owner per piece of state").
 * The state is a plain class stepped by a handler ({@code state::handle}) that tests call on their
 * own thread; the owner is only infrastructure:
 *
 * <ul>
 *   <li>one named thread (virtual by default, {@link Builder#platform()} for owners that call JNI
 *       or are CPU-bound) that takes commands from a bounded {@link ArrayBlockingQueue} and steps
 *       the handler, one command at a time;
 *   <li>a declared {@link FullPolicy} for a full mailbox (back-pressure, answer BUSY, drop and
 *       count), which a call site may override by naming another;
 *   <li>time as tick commands offered by one {@link Scheduler} (dropped when the mailbox is full:
 *       the next one comes);
 *   <li>{@link #checkOwner()} for code that must run on the owner thread;
 *   <li>{@link #ask} for request/reply with a timeout;
 *   <li>{@link #close()}, which stops the thread and fails every reply still pending: commands left
 *       in the mailbox (through the declared {@link Builder#failWith failer}) and asks.
 * </ul>
 *
 * <p>Failures: a {@link RuntimeException} from the handler fails that command (the failer), is
 * logged at ERROR and the loop goes on, unless the builder declared it {@link Builder#fatal}; a
 * fatal exception or an {@link Error} stops the owner, which then reports {@link #isRunning()}
 * false and the cause in {@link #failure()} (the node reports unhealthy and stops).
 *
 * @param <C> the owner's command type (a sealed interface of records)
 */
public final class Owner<C> implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  private final String name;
  private final ArrayBlockingQueue<C> mailbox;
  private final FullPolicy policy;
  private final Duration backPressureTimeout;
  private final Consumer<C> handler;
  private final BiConsumer<C, Throwable> failer;
  private final Function<Throwable, RuntimeException> closedError;
  private final Predicate<Throwable> fatal;
  private final Runnable onStart;
  private final Duration joinTimeout;
  private final Thread thread;
  private final Scheduler scheduler;
  private final Duration tickFirst;
  private final Duration tickPeriod;
  private final Supplier<? extends C> tick;
  private final AtomicLong dropped = new AtomicLong();
  private final Set<CompletableFuture<?>> asks = ConcurrentHashMap.newKeySet();

  /** Commands the owner thread queues for itself; run before the next mailbox command. */
  private final ArrayDeque<C> later = new ArrayDeque<>();

  private volatile boolean started;
  private volatile boolean stopped;
  private volatile Throwable failure;
  private Scheduler.Cancellable ticks;

  private Owner(Builder<C> b) {
    this.name = b.name;
    this.mailbox = new ArrayBlockingQueue<>(b.capacity);
    this.policy = b.policy;
    this.backPressureTimeout = b.backPressureTimeout;
    this.handler = b.handler;
    this.failer = b.failer;
    this.closedError = b.closedError;
    this.fatal = b.fatal;
    this.onStart = b.onStart;
    this.joinTimeout = b.joinTimeout;
    this.scheduler = b.scheduler;
    this.tickFirst = b.tickFirst;
    this.tickPeriod = b.tickPeriod;
    this.tick = b.tick;
    this.thread =
        (b.platform ? Thread.ofPlatform().name(name) : Thread.ofVirtual().name(name))
            .unstarted(this::run);
  }

  /**
   * An owner named {@code name} (its thread's name) with a mailbox of {@code capacity} commands,
   * each stepped by {@code handler}.
   */
  public static <C> Builder<C> builder(String name, int capacity, Consumer<C> handler) {
    return new Builder<>(name, capacity, handler);
  }

  /** Starts the thread and the ticks. Once. */
  public Owner<C> start() {
    if (started) {
      throw new IllegalStateException(name + " started twice");
    }
    started = true;
    thread.start();
    if (tick != null) {
      ticks =
          scheduler.every(tickFirst, tickPeriod, () -> send(tick.get(), FullPolicy.DROP_AND_COUNT));
    }
    return this;
  }

  // ---- senders, any thread

  /** Queues {@code command} under the declared policy; false if it was not taken. */
  public boolean send(C command) {
    return send(command, policy);
  }

  /**
   * Queues {@code command}, doing what {@code full} says when the mailbox is full. False if it was
   * not taken: the mailbox stayed full (BUSY, DROP_AND_COUNT, or BACK_PRESSURE past its timeout),
   * the owner has stopped, or the sender was interrupted while waiting (its flag is set again). A
   * command not taken is the caller's to answer; the owner never fails it.
   */
  public boolean send(C command, FullPolicy full) {
    Objects.requireNonNull(command);
    if (stopped) {
      return false;
    }
    boolean taken;
    switch (full) {
      case BUSY -> taken = mailbox.offer(command);
      case DROP_AND_COUNT -> {
        taken = mailbox.offer(command);
        if (!taken) {
          dropped.incrementAndGet();
        }
      }
      case BACK_PRESSURE -> {
        try {
          if (backPressureTimeout == null) {
            mailbox.put(command);
            taken = true;
          } else {
            taken = mailbox.offer(command, backPressureTimeout.toNanos(), TimeUnit.NANOSECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      default -> throw new AssertionError(full);
    }
    if (taken && stopped) {
      drain(); // the owner stopped while we queued: nothing will take it now
    }
    return taken;
  }

  /**
   * Sends the command {@code make} builds around a new reply future (under the declared policy) and
   * waits up to {@code timeout} for the reply.
   *
   * @throws OwnerException when the mailbox was full, the owner stopped, the reply was late or
   *     failed, or the thread was interrupted
   */
  public <R> R ask(Function<CompletableFuture<R>, ? extends C> make, Duration timeout) {
    CompletableFuture<R> reply = new CompletableFuture<>();
    asks.add(reply);
    try {
      if (!send(make.apply(reply))) {
        if (Thread.currentThread().isInterrupted()) {
          throw new OwnerException(OwnerException.Kind.INTERRUPTED, name + ": interrupted", null);
        }
        if (stopped) {
          throw new OwnerException(OwnerException.Kind.CLOSED, name + " has stopped", failure);
        }
        throw new OwnerException(OwnerException.Kind.BUSY, name + " is busy", null);
      }
      if (stopped) {
        reply.completeExceptionally(closed());
      }
      return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OwnerException(OwnerException.Kind.INTERRUPTED, name + ": interrupted", e);
    } catch (TimeoutException e) {
      throw new OwnerException(
          OwnerException.Kind.TIMEOUT, name + " did not answer within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      OwnerException.Kind kind =
          cause instanceof OwnerException o && o.kind() == OwnerException.Kind.CLOSED || stopped
              ? OwnerException.Kind.CLOSED
              : OwnerException.Kind.FAILED;
      throw new OwnerException(kind, name + " did not answer: " + cause, cause);
    } finally {
      asks.remove(reply);
    }
  }

  // ---- the owner thread

  /**
   * Queues {@code command} from the owner thread itself, to run before the next mailbox command (an
   * effect that must not wait for room in its own mailbox). The caller bounds how many.
   */
  public void later(C command) {
    checkOwner();
    later.add(command);
  }

  /** Throws unless the calling thread is this owner's thread. */
  public void checkOwner() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException(
          name + ": owner state touched from " + Thread.currentThread().getName());
    }
  }

  /** True on the owner thread. */
  public boolean isOwnerThread() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    try {
      if (onStart != null) {
        onStart.run();
      }
      while (!stopped) {
        C c = later.poll();
        if (c == null) {
          try {
            c = mailbox.take();
          } catch (InterruptedException e) {
            if (stopped) {
              break;
            }
            continue; // an interrupt that is not a stop (a handler's leftover): go on
          }
        }
        try {
          handler.accept(c);
        } catch (RuntimeException e) {
          failer.accept(c, e);
          if (fatal.test(e)) {
            throw e;
          }
          LOG.error("{} failed on {}", name, c.getClass().getSimpleName(), e);
        }
      }
    } catch (RuntimeException | Error e) {
      // An Error (or a declared-fatal exception) leaves the state unknown: stop, and let the
      // process see it (isRunning, failure).
      failure = e;
      LOG.error("{} stops: {}", name, e.toString(), e);
    } finally {
      stopped = true;
      if (ticks != null) {
        ticks.cancel();
      }
      for (C c; (c = later.poll()) != null; ) {
        failer.accept(c, closed());
      }
      drain();
    }
  }

  private void drain() {
    RuntimeException closed = closed();
    for (C c; (c = mailbox.poll()) != null; ) {
      failer.accept(c, closed);
    }
    for (CompletableFuture<?> f : asks) {
      f.completeExceptionally(closed);
    }
  }

  private RuntimeException closed() {
    RuntimeException e = closedError.apply(failure);
    return e != null
        ? e
        : new OwnerException(OwnerException.Kind.CLOSED, name + " has stopped", failure);
  }

  // ---- liveness

  /** True from {@link #start} until the thread stops (closed, or after a fatal failure). */
  public boolean isRunning() {
    return started && !stopped && thread.isAlive();
  }

  /** The Error (or declared-fatal exception) that stopped the owner, if one did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Commands and ticks dropped under {@link FullPolicy#DROP_AND_COUNT}. */
  public long dropped() {
    return dropped.get();
  }

  /** The thread's name. */
  public String name() {
    return name;
  }

  /**
   * Stops the ticks and the thread after the command it is stepping (the thread is interrupted to
   * wake it), waits for it (up to the join timeout, if declared), and fails every pending reply:
   * queued commands through the failer, open asks with the closed error. Idempotent.
   */
  @Override
  public void close() {
    stopped = true;
    if (ticks != null) {
      ticks.cancel();
    }
    if (!started) {
      drain();
      return;
    }
    if (Thread.currentThread() == thread) {
      return; // the loop ends after this command
    }
    thread.interrupt();
    try {
      if (joinTimeout == null) {
        thread.join();
      } else {
        if (!thread.join(joinTimeout)) {
          LOG.warn("{} did not stop within {} ms; leaving it", name, joinTimeout.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
  }

  /** How to build an {@link Owner}; every choice has a default but the name and the mailbox. */
  public static final class Builder<C> {
    private final String name;
    private final int capacity;
    private final Consumer<C> handler;
    private FullPolicy policy = FullPolicy.BACK_PRESSURE;
    private Duration backPressureTimeout;
    private BiConsumer<C, Throwable> failer = (c, t) -> {};
    private Function<Throwable, RuntimeException> closedError = f -> null;
    private Predicate<Throwable> fatal = t -> false;
    private Runnable onStart;
    private Duration joinTimeout;
    private boolean platform;
    private Scheduler scheduler = Scheduler.shared();
    private Duration tickFirst;
    private Duration tickPeriod;
    private Supplier<? extends C> tick;

    private Builder(String name, int capacity, Consumer<C> handler) {
      if (capacity < 1) {
        throw new IllegalArgumentException("mailbox capacity " + capacity);
      }
      this.name = Objects.requireNonNull(name);
      this.capacity = capacity;
      this.handler = Objects.requireNonNull(handler);
    }

    /** The policy of {@link Owner#send(Object)} (default {@link FullPolicy#BACK_PRESSURE}). */
    public Builder<C> fullPolicy(FullPolicy policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    /** How long a back-pressured sender waits for room before it is refused (default: forever). */
    public Builder<C> backPressureTimeout(Duration timeout) {
      this.backPressureTimeout = timeout;
      return this;
    }

    /** How to fail a command's reply (a failed handler, a close); default: it has none. */
    public Builder<C> failWith(BiConsumer<C, Throwable> failer) {
      this.failer = Objects.requireNonNull(failer);
      return this;
    }

    /** The error pending replies get once the owner has stopped (given its failure, or null). */
    public Builder<C> closedError(Function<Throwable, RuntimeException> closedError) {
      this.closedError = Objects.requireNonNull(closedError);
      return this;
    }

    /** Handler exceptions that stop the owner (default: none; an {@link Error} always does). */
    public Builder<C> fatal(Predicate<Throwable> fatal) {
      this.fatal = Objects.requireNonNull(fatal);
      return this;
    }

    /** Runs first on the owner thread (a state binds its owner thread here). */
    public Builder<C> onStart(Runnable onStart) {
      this.onStart = onStart;
      return this;
    }

    /**
     * How long {@link Owner#close()} waits for the thread (default: until it ends); a thread still
     * running then is left, with a WARN.
     */
    public Builder<C> joinTimeout(Duration joinTimeout) {
      this.joinTimeout = joinTimeout;
      return this;
    }

    /** A platform thread instead of a virtual one. */
    public Builder<C> platform() {
      this.platform = true;
      return this;
    }

    /** The scheduler that delivers ticks (default {@link Scheduler#shared()}). */
    public Builder<C> scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /**
     * Delivers {@code tick.get()} after {@code first} and then every {@code period}, under {@link
     * FullPolicy#DROP_AND_COUNT}.
     */
    public Builder<C> tick(Duration first, Duration period, Supplier<? extends C> tick) {
      this.tickFirst = Objects.requireNonNull(first);
      this.tickPeriod = Objects.requireNonNull(period);
      this.tick = Objects.requireNonNull(tick);
      return this;
    }

    /** The owner, not yet started. */
    public Owner<C> build() {
      return new Owner<>(this);
    }
  }
}
