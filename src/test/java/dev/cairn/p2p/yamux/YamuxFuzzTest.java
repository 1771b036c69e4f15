package dev.cairn.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.testing.ScriptedDuplex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Fuzzes yamux: frame headers, and a whole session whose remote peer is the fuzzer. */
class YamuxFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void framesDecodeToTheirOwnHeaders(byte[] input) throws Exception {
    InputStream in = new ByteArrayInputStream(input);
    byte[] scratch = new byte[YamuxFrame.HEADER_LENGTH];
    int at = 0;
    while (true) {
      YamuxFrame f;
      try {
        f = YamuxCodec.read(in, scratch);
      } catch (ProtocolException e) {
        return;
      }
      if (f == null) {
        return;
      }
      assertThat(YamuxCodec.encode(f))
          .isEqualTo(Arrays.copyOfRange(input, at, at + YamuxFrame.HEADER_LENGTH));
      at += YamuxFrame.HEADER_LENGTH;
    }
  }

  /**
   * The fuzzer is the remote end of a session (our side the listener): frames open, feed, window
   * and reset streams, ping and go away, until the input ends. Each inbound stream is drained by
   * its handler. The session must end (closed by EOF or a protocol error), with an I/O or protocol
   * exception as the cause — never another exception, never a hang.
   */
  @FuzzTest(maxDuration = "10s")
  void sessionFedByAFuzzedPeerEndsWithATypedCause(byte[] input) throws Exception {
    ScriptedDuplex conn = new ScriptedDuplex(new ByteArrayInputStream(input));
    CountDownLatch closed = new CountDownLatch(1);
    YamuxSession session =
        YamuxSession.start(conn, false, YamuxConfig.defaults(), YamuxFuzzTest::drain, "fuzz");
    session.onClose(closed::countDown);
    if (!closed.await(10, TimeUnit.SECONDS)) {
      session.close();
      throw new AssertionError("session did not end after its input ended");
    }
    Throwable cause = session.closeCause();
    if (cause != null && !(cause instanceof IOException) && !(cause instanceof ProtocolException)) {
      throw new AssertionError("session ended by " + cause, cause);
    }
    session.close();
    Throwable failure = HANDLER_FAILURE.getAndSet(null);
    if (failure != null) {
      throw new AssertionError("a stream handler failed", failure);
    }
  }

  /** What a stream handler met other than an I/O exception (handlers run on their own threads). */
  private static final AtomicReference<Throwable> HANDLER_FAILURE = new AtomicReference<>();

  private static void drain(YamuxStream stream) {
    try (stream) {
      stream.in().readAllBytes();
    } catch (IOException e) {
      // reset or closed: the expected end of a stream the fuzzer abandons
    } catch (RuntimeException | Error e) {
      HANDLER_FAILURE.compareAndSet(null, e);
    }
  }
}
