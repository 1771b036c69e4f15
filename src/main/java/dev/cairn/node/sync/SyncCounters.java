package dev.cairn.node.sync;

import java.util.concurrent.atomic.LongAdder;

/** Sync's counters: written by the sync owner thread, read from any (metrics, tests). */
final class SyncCounters {
  private final LongAdder[] adders = new LongAdder[SyncCounter.values().length];

  SyncCounters() {
    for (int i = 0; i < adders.length; i++) {
      adders[i] = new LongAdder();
    }
  }

  void increment(SyncCounter c) {
    adders[c.ordinal()].increment();
  }

  void add(SyncCounter c, long n) {
    adders[c.ordinal()].add(n);
  }

  long get(SyncCounter c) {
    return adders[c.ordinal()].sum();
  }
}
