package dev.cairn.node.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The node's metrics, rendered in the Prometheus text format at {@code /metrics}. Counters are
 * {@link LongAdder}s (any thread adds, no lock); gauges are read from their owners' published
 * snapshots at scrape time. Series are created on first use and never removed, so label values must
 * come from small fixed sets (topics, protocols, result codes), never from peer ids.
 */
public final class Metrics {
  /** Series per metric before new label combinations are refused (a bound against misuse). */
  static final int MAX_SERIES_PER_METRIC = 256;

  private record Family(String name, String help, String type) {}

  private final Map<String, Family> families = new ConcurrentHashMap<>();
  private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
  private final Map<String, Map<String, DoubleSupplier>> gauges = new ConcurrentHashMap<>();

  /** Adds 1 to the counter {@code name} with the given label pairs ({@code "topic", "blocks"}). */
  public void inc(String name, String help, String... labels) {
    add(name, help, 1, labels);
  }

  public void add(String name, String help, long amount, String... labels) {
    families.putIfAbsent(name, new Family(name, help, "counter"));
    Map<String, LongAdder> series = counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    String key = labelText(labels);
    LongAdder adder = series.get(key);
    if (adder == null) {
      if (series.size() >= MAX_SERIES_PER_METRIC) {
        return;
      }
      adder = series.computeIfAbsent(key, k -> new LongAdder());
    }
    adder.add(amount);
  }

  /** Registers a gauge read at scrape time; {@code value} must be cheap and must not block. */
  public void gauge(String name, String help, DoubleSupplier value, String... labels) {
    families.putIfAbsent(name, new Family(name, help, "gauge"));
    gauges.computeIfAbsent(name, n -> new ConcurrentHashMap<>()).put(labelText(labels), value);
  }

  /** The current value of a counter series (for tests and the API). */
  public long counter(String name, String... labels) {
    Map<String, LongAdder> series = counters.get(name);
    LongAdder a = series == null ? null : series.get(labelText(labels));
    return a == null ? 0 : a.sum();
  }

  /** Everything, in the Prometheus text exposition format 0.0.4. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Family f : new TreeMap<>(families).values()) {
      out.append("# HELP ")
          .append(f.name)
          .append(' ')
          .append(f.help.replace("\n", " "))
          .append('\n');
      out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
      Map<String, LongAdder> c = counters.get(f.name);
      if (c != null) {
        new TreeMap<>(c).forEach((labels, v) -> line(out, f.name, labels, v.sum()));
      }
      Map<String, DoubleSupplier> g = gauges.get(f.name);
      if (g != null) {
        new TreeMap<>(g).forEach((labels, v) -> line(out, f.name, labels, safe(v)));
      }
    }
    return out.toString();
  }

  private static double safe(DoubleSupplier v) {
    try {
      return v.getAsDouble();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static void line(StringBuilder out, String name, String labels, double value) {
    out.append(name).append(labels).append(' ');
    if (value == Math.rint(value) && !Double.isInfinite(value)) {
      out.append((long) value);
    } else {
      out.append(value);
    }
    out.append('\n');
  }

  private static String labelText(String... labels) {
    if (labels.length == 0) {
      return "";
    }
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name/value pairs");
    }
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < labels.length; i += 2) {
      if (i > 0) {
        b.append(',');
      }
      b.append(labels[i]).append("=\"");
      String v = labels[i + 1];
      b.append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
      b.append('"');
    }
    return b.append('}').toString();
  }
}
