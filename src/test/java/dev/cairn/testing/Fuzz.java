package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Invariants shared by the Jazzer fuzz targets ({@code *FuzzTest}). A target calls a decoder on
 * fuzzed bytes inside {@link #bounded}: the decoder's typed exception is the expected outcome, any
 * other exception escapes and is a finding, and so is an allocation above the target's bound.
 */
public final class Fuzz {
  /**
   * Fixed allowance every target gets on top of its own bound: parser tables, strings, and the
   * classes a new path loads (class loading allocates on the calling thread).
   */
  public static final long BASE_ALLOWANCE = 8L << 20;

  /**
   * Call sites that ran once: the first call loads and initialises classes, so it is not checked.
   */
  private static final Set<Class<?>> WARM = ConcurrentHashMap.newKeySet();

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

  private Fuzz() {}

  /** A decoder call that may throw its typed exception. */
  @FunctionalInterface
  public interface Decoding<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code decoding} and returns its value, or {@code null} if it threw an exception of type
   * {@code expected}. Fails if it allocated more than {@link #BASE_ALLOWANCE} plus {@code
   * perInputByte} bytes per input byte plus {@code limit} (the decoder's documented bound on what a
   * length prefix may make it allocate before the bytes arrive).
   */
  public static <T> T bounded(
      byte[] input,
      long perInputByte,
      long limit,
      Class<? extends Exception> expected,
      Decoding<T> decoding)
      throws Exception {
    return bounded(input.length, perInputByte, limit, expected, decoding);
  }

  /** As {@link #bounded(byte[], long, long, Class, Decoding)} for an input of {@code size}. */
  public static <T> T bounded(
      long size,
      long perInputByte,
      long limit,
      Class<? extends Exception> expected,
      Decoding<T> decoding)
      throws Exception {
    return measured(size, perInputByte, limit, expected::isInstance, decoding, decoding);
  }

  /** Decodes one message; may throw its typed refusal. */
  @FunctionalInterface
  public interface Decoder<T> {
    T decode(byte[] bytes) throws Exception;
  }

  /** Encodes one message to its canonical bytes. */
  @FunctionalInterface
  public interface Encoder<T> {
    byte[] encode(T message) throws Exception;
  }

  /**
   * What a protobuf decoder may allocate per input byte: protobuf is not canonical on the wire
   * (field order, unknown fields), and a decoded message holds its fields as objects.
   */
  public static final long PROTOBUF_PER_INPUT_BYTE = 128;

  /**
   * {@link #bounded} around a protobuf {@code decoder} on {@code input}: its refusal is a {@link
   * ProtocolException}, it allocates at most {@link #PROTOBUF_PER_INPUT_BYTE} per input byte, and
   * what decodes must survive an encode/decode round to the same bytes.
   */
  public static <T> void roundTrips(byte[] input, Decoder<T> decoder, Encoder<T> encoder)
      throws Exception {
    T m = decoded(input, PROTOBUF_PER_INPUT_BYTE, ProtocolException.class, decoder);
    if (m != null) {
      byte[] once = encoder.encode(m);
      assertThat(encoder.encode(decoder.decode(once))).isEqualTo(once);
    }
  }

  /**
   * {@link #bounded} with {@code expected} refusals around {@code decoder} on {@code input} (at
   * most {@code perInputByte} per input byte); for a canonical encoding, what decodes must encode
   * back to exactly {@code input}. Returns the decoded value, or {@code null} if it was refused.
   */
  public static <T> T canonical(
      byte[] input,
      long perInputByte,
      Class<? extends Exception> expected,
      Decoder<T> decoder,
      Encoder<T> encoder)
      throws Exception {
    T m = decoded(input, perInputByte, expected, decoder);
    if (m != null) {
      assertThat(encoder.encode(m)).isEqualTo(input);
    }
    return m;
  }

  /**
   * A file in a new temporary directory (both deleted when the JVM exits), for a target whose
   * reader takes a path: it writes each input there.
   */
  public static Path tempFile(String directoryPrefix, String name) {
    try {
      Path dir = Files.createTempDirectory(directoryPrefix);
      dir.toFile().deleteOnExit();
      Path f = dir.resolve(name);
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T decoded(
      byte[] input, long perInputByte, Class<? extends Exception> expected, Decoder<T> decoder)
      throws Exception {
    return measured(
        input.length, perInputByte, 0, expected::isInstance, decoder, () -> decoder.decode(input));
  }

  /** A reader of a stream; it may throw its typed refusal. */
  @FunctionalInterface
  public interface StreamRead<T> {
    T read(InputStream in) throws Exception;
  }

  /**
   * {@link #bounded} for a reader fed {@code input} as a stream, where a {@link ProtocolException}
   * and the stream's end ({@link EOFException}) are the expected refusals.
   */
  public static <T> T readOrRefused(
      byte[] input, long perInputByte, long limit, StreamRead<T> reader) throws Exception {
    return measured(
        input.length,
        perInputByte,
        limit,
        e -> e instanceof ProtocolException || e instanceof EOFException,
        reader,
        () -> reader.read(new ByteArrayInputStream(input)));
  }

  /**
   * The measurement; {@code site} identifies the call site whose first run (class loading) is not
   * checked.
   */
  private static <T> T measured(
      long size,
      long perInputByte,
      long limit,
      Predicate<Exception> expected,
      Object site,
      Decoding<T> decoding)
      throws Exception {
    long loadedBefore = CLASSES.getTotalLoadedClassCount();
    long before = THREADS.getCurrentThreadAllocatedBytes();
    T value;
    try {
      value = decoding.run();
    } catch (Exception e) {
      if (!expected.test(e)) {
        throw e;
      }
      value = null;
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    boolean loadedClasses = CLASSES.getTotalLoadedClassCount() != loadedBefore;
    if (WARM.add(site.getClass()) || loadedClasses) {
      return value; // class loading and static initialisers allocate once, not per input
    }
    long bound = BASE_ALLOWANCE + perInputByte * size + limit;
    if (allocated > bound) {
      throw new AssertionError(
          "decoding " + size + " bytes allocated " + allocated + " bytes, above " + bound);
    }
    return value;
  }
}
