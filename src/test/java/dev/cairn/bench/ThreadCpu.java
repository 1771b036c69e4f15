package dev.cairn.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * CPU time of the whole process and of groups of platform threads (by name) between two moments, so
 * a benchmark can say where its time went (virtual threads are counted through their carriers,
 * {@code ForkJoinPool-*-worker-*}). A snapshot takes the threads alive at that moment; a thread
 * that started and ended in between is only in the process figure.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long process;
  private final long gcMillis;
  private final Map<Long, Long> cpuById;
  private final Map<Long, String> nameById;

  private ThreadCpu(
      long process, long gcMillis, Map<Long, Long> cpuById, Map<Long, String> nameById) {
    this.process = process;
    this.gcMillis = gcMillis;
    this.cpuById = cpuById;
    this.nameById = nameById;
  }

  /** The CPU time so far of the process and of every live platform thread. */
  static ThreadCpu now() {
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long c = THREADS.getThreadCpuTime(t.threadId());
      if (c >= 0) {
        cpu.put(t.threadId(), c);
        names.put(t.threadId(), t.getName());
      }
    }
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, b.getCollectionTime());
    }
    return new ThreadCpu(GossipBenchmark.OS.getProcessCpuTime(), gc, cpu, names);
  }

  /** Ids of the live threads whose name {@code name} accepts. */
  static Set<Long> ids(Predicate<String> name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> name.test(t.getName()))
        .map(Thread::threadId)
        .collect(Collectors.toSet());
  }

  /** Process CPU seconds from {@code before} to this snapshot. */
  double processSeconds(ThreadCpu before) {
    return (process - before.process) / 1e9;
  }

  /** Milliseconds the collectors reported from {@code before} to this snapshot. */
  long gcMillis(ThreadCpu before) {
    return gcMillis - before.gcMillis;
  }

  /**
   * CPU seconds from {@code before} to this snapshot of the threads in {@code ids} (a thread not
   * alive at {@code before} counts from zero).
   */
  double seconds(ThreadCpu before, Set<Long> ids) {
    long n = 0;
    for (long id : ids) {
      Long c = cpuById.get(id);
      if (c != null) {
        n += c - before.cpuById.getOrDefault(id, 0L);
      }
    }
    return n / 1e9;
  }

  /** CPU seconds since {@code before} per thread-name group (digits dropped), largest first. */
  Map<String, Double> byGroup(ThreadCpu before) {
    Map<String, Long> groups = new HashMap<>();
    cpuById.forEach(
        (id, c) -> {
          String group = nameById.get(id).replaceAll("[0-9]+", "N");
          groups.merge(group, c - before.cpuById.getOrDefault(id, 0L), Long::sum);
        });
    Map<String, Double> out = new LinkedHashMap<>();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue() / 1e9));
    return out;
  }
}
