package dev.cairn.node.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The last hour of head height and peer count, for the status page's charts: one sample every
 * {@link #INTERVAL}, at most {@link #SAMPLES} kept (the oldest dropped). One thread, {@code
 * status-history}, takes the samples and publishes an immutable list; readers take that list from
 * any thread.
 */
public final class StatusHistory implements AutoCloseable {
  /** Time between samples. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** Samples kept: an hour's worth; older ones are dropped. */
  public static final int SAMPLES = 360;

  /** One sample: time (ms since the epoch), head height, connected peers. */
  public record Sample(long time, long height, long peers) {}

  private final LongSupplier height;
  private final LongSupplier peers;
  private final Duration interval;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile List<Sample> samples = List.of();
  private Thread thread;

  private StatusHistory(LongSupplier height, LongSupplier peers, Duration interval) {
    this.height = height;
    this.peers = peers;
    this.interval = interval;
  }

  /** Samples {@code height} and {@code peers} now and every {@link #INTERVAL} until closed. */
  public static StatusHistory start(LongSupplier height, LongSupplier peers) {
    return start(height, peers, INTERVAL);
  }

  static StatusHistory start(LongSupplier height, LongSupplier peers, Duration interval) {
    StatusHistory h = new StatusHistory(height, peers, interval);
    h.sample();
    h.thread = Thread.ofVirtual().name("status-history").start(h::run);
    return h;
  }

  private void run() {
    try {
      while (!closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
        sample();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // Only the sampling thread (and start, before it runs) writes the list.
  private void sample() {
    List<Sample> next = new ArrayList<>(samples.size() + 1);
    List<Sample> now = samples;
    next.addAll(now.size() >= SAMPLES ? now.subList(now.size() - SAMPLES + 1, now.size()) : now);
    next.add(new Sample(System.currentTimeMillis(), height.getAsLong(), peers.getAsLong()));
    samples = List.copyOf(next);
  }

  /** The samples, oldest first. */
  public List<Sample> samples() {
    return samples;
  }

  /** The sampling interval. */
  public Duration interval() {
    return interval;
  }

  @Override
  public void close() {
    closed.countDown();
    if (thread != null) {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
