package dev.cairn.node.sync;

import java.util.concurrent.atomic.LongAdder;

/** Sync's counters: written by the sync owner thread, read from any (metrics, tests). */
final class SyncCounters {
  final LongAdder blocksImported = new LongAdder();
  final LongAdder invalidResponses = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder refetches = new LongAdder();
  final LongAdder stalls = new LongAdder();
  final LongAdder refusals = new LongAdder();
  final LongAdder unproven = new LongAdder();
  final LongAdder statusAnswers = new LongAdder();
}
