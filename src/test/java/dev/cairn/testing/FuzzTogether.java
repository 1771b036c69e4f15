package dev.cairn.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Several byte-input fuzz targets fuzzed by one Jazzer process, for the short fuzzing in {@code
 * bin/test}: a Jazzer JVM takes about ten seconds to start (its hooks and instrumentation), which
 * dwarfs a budget of a few seconds per target, and libFuzzer runs one target per process. Here the
 * first byte of an input picks the target (its index modulo the number of targets) and the rest is
 * that target's input, so coverage guidance works as for one target: each target's edges are its
 * own, and {@code bin/fuzz --together} seeds the corpus with every target's committed inputs behind
 * its byte.
 *
 * <p>The targets come from the system property {@code cairn.fuzz.targets}, a comma-separated list
 * of {@code Class#method} naming {@code @FuzzTest} methods that take a {@code byte[]}. A finding is
 * rethrown for Jazzer to report, after its target is named on standard error and the input without
 * its selector byte is written to {@code target/fuzz/<Class>-<method>/crash-together-<sha1>}, ready
 * to be committed into the target's {@code Inputs} directory. Executions per target are printed at
 * the end.
 */
public final class FuzzTogether {
  private static final String PROPERTY = "cairn.fuzz.targets";

  private record Target(String name, Object instance, Method method) {}

  private static final List<Target> targets = new ArrayList<>();
  private static long[] executions;

  private FuzzTogether() {}

  /** Called by Jazzer once before fuzzing: resolves the targets. */
  public static void fuzzerInitialize() throws ReflectiveOperationException {
    String list = System.getProperty(PROPERTY, "");
    for (String name : list.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      int hash = name.indexOf('#');
      if (hash < 0) {
        throw new IllegalArgumentException("not Class#method: " + name);
      }
      Class<?> type = Class.forName(name.substring(0, hash));
      Method method = type.getDeclaredMethod(name.substring(hash + 1), byte[].class);
      method.setAccessible(true);
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      targets.add(new Target(name, constructor.newInstance(), method));
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets in -D" + PROPERTY);
    }
    executions = new long[targets.size()];
  }

  /** One execution: the first byte picks the target, the rest is its input. */
  public static void fuzzerTestOneInput(byte[] data) throws Throwable {
    if (data.length == 0) {
      return;
    }
    int index = (data[0] & 0xff) % targets.size();
    Target target = targets.get(index);
    byte[] input = Arrays.copyOfRange(data, 1, data.length);
    executions[index]++;
    try {
      target.method().invoke(target.instance(), (Object) input);
    } catch (InvocationTargetException e) {
      report(target, input);
      throw e.getCause();
    }
  }

  /** Called by Jazzer when fuzzing ends: executions per target, one line each. */
  public static void fuzzerTearDown() {
    for (int i = 0; i < targets.size(); i++) {
      System.err.println("cairn-fuzz-executions " + targets.get(i).name() + " " + executions[i]);
    }
  }

  private static void report(Target target, byte[] input) {
    String name = target.name();
    String simple = name.substring(name.lastIndexOf('.', name.indexOf('#')) + 1).replace('#', '-');
    Path dir = Path.of("target", "fuzz", simple);
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("crash-together-" + sha1(input));
      Files.write(file, input);
      System.err.println("cairn-fuzz-finding " + name + " " + file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(byte[] input) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(input));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
