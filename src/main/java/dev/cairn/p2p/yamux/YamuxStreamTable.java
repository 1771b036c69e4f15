package dev.cairn.p2p.yamux;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The session's streams by id, and the counts that bound them: the ids we hand out, our streams
 * still awaiting their ACK (the backlog, {@link YamuxConfig#ackBacklog()}) and the inbound streams
 * ({@link YamuxConfig#maxInboundStreams()}). Used by any thread: the map is concurrent, the counts
 * are guarded by one lock whose condition wakes openers waiting for the backlog.
 */
final class YamuxStreamTable {
  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  /** Throws if no stream may be opened now; checked under the table's lock on every wake-up. */
  interface OpenCheck {
    void check() throws IOException;
  }

  private final boolean client;
  private final YamuxConfig config;
  private final String label;
  private final Map<Integer, YamuxStream> streams = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition backlogChanged = lock.newCondition();
  // Guarded by lock.
  private long nextStreamId;
  private int backlog;
  private int inboundCount;

  YamuxStreamTable(boolean client, YamuxConfig config, String label) {
    this.client = client;
    this.config = config;
    this.label = label;
    this.nextStreamId = client ? 1 : 2;
  }

  /** Whether the ids we give out are the dialer's (odd). */
  boolean client() {
    return client;
  }

  /** The session's label, for thread names and log lines. */
  String label() {
    return label;
  }

  int size() {
    return streams.size();
  }

  YamuxStream get(int id) {
    return streams.get(id);
  }

  boolean contains(int id) {
    return streams.containsKey(id);
  }

  void put(YamuxStream stream) {
    streams.put(stream.id(), stream);
  }

  /**
   * Reserves the id of a stream we open, waiting up to {@link YamuxConfig#openTimeout()} while the
   * backlog is full; {@code canOpen} is checked on every wake-up.
   */
  int reserveOutbound(OpenCheck canOpen) throws IOException {
    lock.lock();
    try {
      long remaining = config.openTimeout().toNanos();
      while (true) {
        canOpen.check();
        if (backlog < config.ackBacklog()) {
          break;
        }
        if (remaining <= 0) {
          throw new InterruptedIOException(
              "yamux " + label + ": " + backlog + " streams await their ACK; open timed out");
        }
        try {
          remaining = backlogChanged.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while opening a yamux stream");
        }
      }
      if (nextStreamId > MAX_STREAM_ID) {
        throw new IOException("yamux " + label + ": stream ids exhausted");
      }
      int id = (int) nextStreamId;
      nextStreamId += 2;
      backlog++;
      return id;
    } finally {
      lock.unlock();
    }
  }

  /** Counts an inbound stream in, unless we are going away or at the inbound limit. */
  boolean admitInbound(boolean goingAway) {
    lock.lock();
    try {
      boolean accept = !goingAway && inboundCount < config.maxInboundStreams();
      if (accept) {
        inboundCount++;
      }
      return accept;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a stream out of the table (once it is fully closed or reset) and out of the counts. */
  void remove(YamuxStream stream) {
    if (!streams.remove(stream.id(), stream)) {
      return;
    }
    stream.memory().close();
    boolean wasPending = stream.outbound() && stream.acknowledged();
    lock.lock();
    try {
      if (!stream.outbound()) {
        inboundCount--;
      } else if (wasPending) {
        backlog--;
        backlogChanged.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** One of our streams got its ACK: it leaves the backlog. */
  void acknowledged() {
    lock.lock();
    try {
      backlog--;
      backlogChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes openers waiting for the backlog, so they check again whether they may open. */
  void wakeOpeners() {
    lock.lock();
    try {
      backlogChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The session ended: fails every stream with {@code failure} and empties the table. */
  void abortAll(IOException failure) {
    for (YamuxStream stream : streams.values()) {
      stream.abort(failure);
      stream.memory().close();
    }
    streams.clear();
    wakeOpeners();
  }
}
