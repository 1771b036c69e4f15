package dev.cairn.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testing.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reader waiting with a large enough array gets a payload that has already arrived copied
 * straight into that array by the session's reader thread, not through the stream's ring; what does
 * not fit, or has not arrived yet, goes through the ring, in order, and the bytes count as read for
 * the credit returned to the remote.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class YamuxDirectReadTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension final YamuxSessions sessions = new YamuxSessions();

  private YamuxSession session;
  private RawPeer peer;
  private YamuxStream stream;

  /** A session (listener side) over an in-memory pipe, with stream 1 opened by the raw peer. */
  private void open() throws Exception {
    peer = sessions.crafted(false, YamuxSessions.QUIET);
    session = peer.session();
    peer.send(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0));
    stream = peer.accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(stream).isNotNull();
  }

  /** One Data frame of {@code payload[from, to)}, header and bytes in one write to the pipe. */
  private void sendData(byte[] payload, int from, int to) throws IOException {
    byte[] frame = new byte[YamuxFrame.HEADER_LENGTH + to - from];
    YamuxCodec.encode(YamuxFrame.data(1, 0, to - from), frame, 0);
    System.arraycopy(payload, from, frame, YamuxFrame.HEADER_LENGTH, to - from);
    peer.end.out().write(frame);
    peer.end.out().flush();
  }

  /** Starts one read of up to {@code len} bytes and waits until its thread waits for data. */
  private CompletableFuture<byte[]> waitingRead(int len) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    byte[] b = new byte[len];
                    int n = stream.in().read(b, 0, len);
                    result.complete(Arrays.copyOf(b, Math.max(n, 0)));
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    Await.until(
        () -> reader.getState() == Thread.State.WAITING || result.isDone(), WAIT, "reader waits");
    return result;
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(7).nextBytes(bytes);
    return bytes;
  }

  @Test
  void aPayloadForAWaitingReaderSkipsTheRing() throws Exception {
    open();
    byte[] payload = random(40_000);
    CompletableFuture<byte[]> read = waitingRead(64 * 1024);
    sendData(payload, 0, payload.length);
    assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(payload);
    assertThat(stream.ringCapacity()).as("the ring was never needed").isZero();
  }

  @Test
  void whatDoesNotFitTheWaitingArrayFollowsThroughTheRingInOrder() throws Exception {
    open();
    byte[] payload = random(30_000);
    CompletableFuture<byte[]> first = waitingRead(8192);
    sendData(payload, 0, 20_000);
    assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(Arrays.copyOfRange(payload, 0, 8192));
    Await.until(() -> stream.buffered() == 20_000 - 8192, WAIT, "the rest in the ring");
    sendData(payload, 20_000, 30_000);
    byte[] rest = stream.in().readNBytes(30_000 - 8192);
    assertThat(rest).isEqualTo(Arrays.copyOfRange(payload, 8192, 30_000));
  }

  @Test
  void smallReadsAndPayloadsStillArrivingGoThroughTheRing() throws Exception {
    open();
    byte[] payload = random(10_000);
    CompletableFuture<byte[]> small = waitingRead(YamuxReceiveWindow.DIRECT_MIN - 1);
    sendData(payload, 0, 1000);
    assertThat(small.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(Arrays.copyOfRange(payload, 0, 1000));
    assertThat(stream.ringCapacity()).as("a small read offers no array").isPositive();

    // A frame whose header came with only part of its payload: the part that is there goes to
    // the waiting reader, the rest (read from the connection later) to the ring.
    CompletableFuture<byte[]> large = waitingRead(64 * 1024);
    byte[] head = new byte[YamuxFrame.HEADER_LENGTH + 3000];
    YamuxCodec.encode(YamuxFrame.data(1, 0, 9000), head, 0);
    System.arraycopy(payload, 1000, head, YamuxFrame.HEADER_LENGTH, 3000);
    peer.end.out().write(head);
    peer.end.out().flush();
    assertThat(large.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(Arrays.copyOfRange(payload, 1000, 4000));
    peer.end.out().write(payload, 4000, 6000);
    peer.end.out().flush();
    assertThat(stream.in().readNBytes(6000)).isEqualTo(Arrays.copyOfRange(payload, 4000, 10_000));
  }

  @Test
  void bytesDeliveredToAWaitingReaderAreCreditedBackToTheRemote() throws Exception {
    open();
    int frame = 50_000;
    byte[] payload = random(frame);
    for (int i = 0; i < 3; i++) {
      CompletableFuture<byte[]> read = waitingRead(64 * 1024);
      sendData(payload, 0, frame);
      assertThat(read.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(frame);
    }
    assertThat(stream.ringCapacity()).isZero();
    YamuxFrame update = peer.next(f -> f.type() == YamuxFrame.TYPE_WINDOW_UPDATE && f.length() > 0);
    assertThat(update).isNotNull();
    assertThat(update.length())
        .as("more than half the window read: all of it returned")
        .isEqualTo(3L * frame);
  }
}
