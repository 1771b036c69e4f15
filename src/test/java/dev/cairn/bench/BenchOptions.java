package dev.cairn.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A benchmark's command line: whole-number options {@code --name value}, each with a default. */
final class BenchOptions {
  private BenchOptions() {}

  /** The options' values: {@code defaults} with what {@code args} sets; an unknown one throws. */
  static Map<String, Integer> parse(String[] args, Map<String, Integer> defaults) {
    Map<String, Integer> values = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      if (!values.containsKey(args[i]) || i + 1 == args.length) {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
      values.put(args[i], Integer.parseInt(args[++i]));
    }
    return values;
  }
}
