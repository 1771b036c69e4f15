package dev.cairn.p2p.yamux;

import dev.cairn.testing.MemoryDuplex;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The yamux tests' sessions over in-memory pipes, and the virtual threads a test runs beside them.
 * After each test the sessions close in the order they were started, then the threads are stopped.
 * A field with {@code @RegisterExtension}.
 */
final class YamuxSessions implements AfterEachCallback {
  /** No keep-alive pings, so hand-crafted peers see only the frames a test provokes. */
  static final YamuxConfig QUIET =
      YamuxConfig.defaults().withKeepAlive(Duration.ZERO, Duration.ofSeconds(10));

  /** Pipe capacity between a session under test and its hand-driven peer. */
  private static final int RAW_PIPE_BYTES = 4 << 20;

  /** A test's readers and writers; stopped after the test. */
  final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  private final List<YamuxSession> started = new CopyOnWriteArrayList<>();

  /** Closes {@code session} after the test; returns it. */
  YamuxSession own(YamuxSession session) {
    started.add(session);
    return session;
  }

  /**
   * A session under test (client role if {@code client}, else server) facing a hand-driven peer:
   * {@link RawPeer#session()} is the session, and its inbound streams queue in {@link
   * RawPeer#accepted}.
   */
  RawPeer crafted(boolean client, YamuxConfig config) {
    BlockingQueue<YamuxStream> accepted = new LinkedBlockingQueue<>();
    return crafted(client, config, accepted::add, YamuxMemory.UNLIMITED, accepted);
  }

  /**
   * As {@link #crafted(boolean, YamuxConfig)}, with {@code handler} for inbound streams and the
   * windows reserved from {@code memory}.
   */
  RawPeer crafted(
      boolean client, YamuxConfig config, Consumer<YamuxStream> handler, YamuxMemory memory) {
    return crafted(client, config, handler, memory, new LinkedBlockingQueue<>());
  }

  private RawPeer crafted(
      boolean client,
      YamuxConfig config,
      Consumer<YamuxStream> handler,
      YamuxMemory memory,
      BlockingQueue<YamuxStream> accepted) {
    MemoryDuplex[] pipes = MemoryDuplex.pair(RAW_PIPE_BYTES);
    YamuxSession session = own(YamuxSession.start(pipes[1], client, config, handler, "t", memory));
    return new RawPeer(pipes[0], session, accepted);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (YamuxSession session : started) {
      session.close();
    }
    threads.shutdownNow();
  }
}
