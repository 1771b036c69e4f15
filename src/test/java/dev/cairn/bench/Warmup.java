package dev.cairn.bench;

/**
 * How many unmeasured messages (or blocks) a gossip benchmark sends first. A node runs for hours,
 * so the figures are those of a warm JVM: on two cores the JIT compilers need several seconds of
 * traffic (1 KiB messages: thousands) before the router's path is compiled, and until then the
 * compiler threads take CPU from the nodes and the path runs interpreted (2026-12-08: with 10
 * warm-up messages the CPU per delivered byte was 3-4 times the warm figure). So the warm-up is
 * {@code count} messages if given ({@code --warmup N}), otherwise at least {@code minCount} and
 * until {@code seconds} have passed ({@code --warmup-seconds S}).
 */
record Warmup(int count, double seconds) {
  static final double DEFAULT_SECONDS = 10;

  static Warmup defaults() {
    return new Warmup(-1, DEFAULT_SECONDS);
  }

  /** True once {@code sent} warm-up messages, started at {@code startNanos}, are enough. */
  boolean done(int sent, int minCount, long startNanos) {
    if (count >= 0) {
      return sent >= count;
    }
    return sent >= minCount && System.nanoTime() - startNanos >= (long) (seconds * 1e9);
  }

  String describe() {
    return count >= 0
        ? count + " messages"
        : String.format(java.util.Locale.ROOT, "%.0f s", seconds);
  }
}
