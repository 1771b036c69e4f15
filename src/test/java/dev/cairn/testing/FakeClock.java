package dev.cairn.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock the test steps: state machines and owners read it instead of the wall clock, so time
 * passes without sleeping. Safe to read from an owner thread while the test thread steps it.
 */
public final class FakeClock extends Clock {
  private volatile long millis;

  /** At {@code millis} since the epoch. */
  public FakeClock(long millis) {
    this.millis = millis;
  }

  public FakeClock(Instant start) {
    this(start.toEpochMilli());
  }

  /** At 1,000,000 ms since the epoch. */
  public FakeClock() {
    this(1_000_000);
  }

  public void advance(Duration d) {
    advanceMillis(d.toMillis());
  }

  public void advanceMillis(long ms) {
    millis += ms; // only the test thread steps it
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public long millis() {
    return millis;
  }
}
