package dev.cairn.node.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * The node's metrics on the Prometheus Java client ({@code io.prometheus:prometheus-metrics-core}),
 * rendered in the Prometheus text format 0.0.4 at {@code /metrics} by the client's own writer.
 * Counters and histograms are the client's (any thread records, lock-free); gauges are read from
 * their owners' published snapshots at scrape time. Series are created on first use and never
 * removed, so label values must come from small fixed sets (topics, protocols, result codes), never
 * from peer ids: past {@link #MAX_SERIES_PER_METRIC} label combinations a metric takes no new one.
 *
 * <p>A metric is registered the first time its name is used; the names, help texts and label names
 * given with later uses of the same name are not looked at again.
 */
public final class Metrics {
  /** Series per metric before new label combinations are refused (a bound against misuse). */
  static final int MAX_SERIES_PER_METRIC = 256;

  /**
   * Registries written one after the other. Usually one; a second holds a metric whose family name
   * the client already gives another type (the gauge {@code cairn_gossip_messages} beside the
   * counter {@code cairn_gossip_messages_total}, both kept because dashboards read them): in the
   * text format 0.0.4 their lines never clash, but one registry refuses them as one family.
   */
  private final List<PrometheusRegistry> registries =
      new CopyOnWriteArrayList<>(List.of(new PrometheusRegistry()));

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
  private final Map<String, Map<List<String>, DoubleSupplier>> gauges = new ConcurrentHashMap<>();
  private final Map<String, Map<List<String>, DoubleSupplier>> counted = new ConcurrentHashMap<>();
  private final Map<String, Set<List<String>>> series = new ConcurrentHashMap<>();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** Adds 1 to the counter {@code name} with the given label pairs ({@code "topic", "blocks"}). */
  public void inc(String name, String help, String... labels) {
    add(name, help, 1, labels);
  }

  /**
   * Adds {@code amount} to the counter {@code name} with the given label pairs; 0 creates the
   * series, so that it is shown (at zero) before its first event.
   */
  public void add(String name, String help, long amount, String... labels) {
    Counter c =
        counters.computeIfAbsent(
            name,
            n -> register(Counter.builder().name(n).help(help).labelNames(names(labels)).build()));
    List<String> values = values(labels);
    if (admits(name, values)) {
      CounterDataPoint series = values.isEmpty() ? c : c.labelValues(values.toArray(String[]::new));
      if (amount != 0) {
        series.inc(amount);
      }
    }
  }

  /**
   * Records {@code value} in the histogram {@code name}, whose buckets' upper bounds are {@code
   * buckets} (the first use fixes them), with the given label pairs. A NaN {@code value} records
   * nothing but creates the series, so that it is shown (at zero) before its first event.
   */
  public void observe(String name, String help, double[] buckets, double value, String... labels) {
    Histogram h =
        histograms.computeIfAbsent(
            name,
            n ->
                register(
                    Histogram.builder()
                        .name(n)
                        .help(help)
                        .classicOnly()
                        .classicUpperBounds(buckets)
                        .labelNames(names(labels))
                        .build()));
    List<String> values = values(labels);
    if (admits(name, values)) {
      DistributionDataPoint series =
          values.isEmpty() ? h : h.labelValues(values.toArray(String[]::new));
      if (!Double.isNaN(value)) {
        series.observe(value);
      }
    }
  }

  /** Registers a gauge read at scrape time; {@code value} must be cheap and must not block. */
  public void gauge(String name, String help, DoubleSupplier value, String... labels) {
    callback(
        gauges,
        name,
        value,
        labels,
        family ->
            GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(names(labels))
                .callback(cb -> emit(family, cb::call))
                .build());
  }

  /**
   * Registers a counter whose count another part keeps (it only grows), read at scrape time: shown
   * as a counter ({@code name} ends in {@code _total}); {@code value} must be cheap and must not
   * block.
   */
  public void countedBy(String name, String help, DoubleSupplier value, String... labels) {
    callback(
        counted,
        name,
        value,
        labels,
        family ->
            CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(names(labels))
                .callback(cb -> emit(family, cb::call))
                .build());
  }

  /** A series' value and label values, as a callback metric takes them. */
  private interface Emit {
    void call(double value, String[] labelValues);
  }

  /**
   * Adds the series {@code labels} read from {@code value} to the callback metric {@code name} of
   * {@code families}, registering the metric {@code build} makes over its series on first use.
   */
  private void callback(
      Map<String, Map<List<String>, DoubleSupplier>> families,
      String name,
      DoubleSupplier value,
      String[] labels,
      java.util.function.Function<Map<List<String>, DoubleSupplier>, Collector> build) {
    families
        .computeIfAbsent(
            name,
            n -> {
              Map<List<String>, DoubleSupplier> family = new ConcurrentHashMap<>();
              register(build.apply(family));
              return family;
            })
        .put(values(labels), value);
  }

  private static void emit(Map<List<String>, DoubleSupplier> family, Emit cb) {
    family.forEach((v, s) -> cb.call(safe(s), v.toArray(String[]::new)));
  }

  /** The current value of a counter series (for tests and the API); 0 if it was never added to. */
  public long counter(String name, String... labels) {
    Counter c = counters.get(name);
    List<String> values = values(labels);
    Set<List<String>> known = series.get(name);
    if (c == null || known == null || !known.contains(values)) {
      return 0;
    }
    return (long) (values.isEmpty() ? c : c.labelValues(values.toArray(String[]::new))).get();
  }

  /** Everything, in the Prometheus text exposition format 0.0.4. */
  public String render() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (PrometheusRegistry r : registries) {
        writer.write(out, r.scrape());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The content type of {@link #render()}. */
  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  private <C extends Collector> C register(C collector) {
    for (PrometheusRegistry r : registries) {
      try {
        r.register(collector);
        return collector;
      } catch (IllegalArgumentException sameFamilyName) {
        // another type holds this family name here: try the next registry
      }
    }
    PrometheusRegistry next = new PrometheusRegistry();
    next.register(collector);
    registries.add(next);
    return collector;
  }

  private boolean admits(String name, List<String> values) {
    Set<List<String>> known = series.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet());
    if (known.contains(values)) {
      return true;
    }
    if (known.size() >= MAX_SERIES_PER_METRIC) {
      return false;
    }
    known.add(values);
    return true;
  }

  private static double safe(DoubleSupplier v) {
    try {
      return v.getAsDouble();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String[] names(String... labels) {
    pairs(labels);
    String[] names = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
    }
    return names;
  }

  private static List<String> values(String... labels) {
    pairs(labels);
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = labels[2 * i + 1];
    }
    return Arrays.asList(values);
  }

  private static void pairs(String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name/value pairs");
    }
  }
}
