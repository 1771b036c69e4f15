package dev.cairn.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receive window on its own, with the clock and round-trip time stepped by the test. */
class YamuxReceiveWindowTest {
  private static final int W = YamuxConfig.INITIAL_WINDOW;
  private static final long RTT = 1_000_000; // 1 ms, in nanoseconds

  /** Grants growth while the total stays within {@code cap}, and records what it was asked. */
  private static final class Budget implements YamuxMemory.StreamMemory {
    final long cap;
    long held = W;
    final List<Long> asked = new ArrayList<>();

    Budget(long cap) {
      this.cap = cap;
    }

    @Override
    public boolean grow(long bytes) {
      asked.add(bytes);
      if (held + bytes > cap) {
        return false;
      }
      held += bytes;
      return true;
    }

    @Override
    public void close() {}
  }

  private static void receive(YamuxReceiveWindow w, int len) throws ProtocolException {
    int got = w.admit(YamuxFrame.data(1, 0, len));
    byte[] dst = w.room(got);
    int tail = w.tail();
    for (int i = 0; i < got; i++) {
      dst[(tail + i) % dst.length] = (byte) i;
    }
    assertThat(w.landed(dst, got)).isTrue();
  }

  @Test
  void aWindowConsumedWithinFourRoundTripsDoublesOnlyByWhatTheMemoryGrants() throws Exception {
    Budget budget = new Budget(4L * W);
    YamuxReceiveWindow w = new YamuxReceiveWindow(16 * W, budget, 0);
    long now = 0;
    long credit = W;
    for (int round = 0; round < 4; round++) {
      receive(w, (int) credit);
      byte[] sink = new byte[(int) credit];
      assertThat(w.take(sink, 0, sink.length)).isEqualTo(credit);
      assertThat(w.creditDue()).isTrue();
      now += 2 * RTT; // within four round trips
      credit = w.grantCredit(RTT, now);
    }
    assertThat(budget.asked).containsExactly((long) W, 2L * W, 4L * W, 4L * W);
    assertThat(w.window()).as("256 KiB, 512 KiB, 1 MiB; 2 MiB refused").isEqualTo(4 * W);
    assertThat(credit).as("only what was read goes back once growth is refused").isEqualTo(4 * W);
    assertThat(budget.held).isEqualTo(4L * W);
  }

  @Test
  void noGrowthWithoutARoundTripTimeOrWhenTheReaderIsSlow() throws Exception {
    Budget budget = new Budget(Long.MAX_VALUE);
    YamuxReceiveWindow w = new YamuxReceiveWindow(16 * W, budget, 0);
    receive(w, W);
    w.take(new byte[W], 0, W);
    assertThat(w.grantCredit(0, 1)).as("RTT unknown").isEqualTo(W);
    receive(w, W);
    w.take(new byte[W], 0, W);
    assertThat(w.grantCredit(RTT, 1 + 4 * RTT)).as("four round trips passed").isEqualTo(W);
    assertThat(budget.asked).isEmpty();
    assertThat(w.window()).isEqualTo(W);
  }

  @Test
  void dataBeyondTheCreditIsAProtocolErrorAndTheRingKeepsOrderAcrossItsEnd() throws Exception {
    YamuxReceiveWindow w = new YamuxReceiveWindow(16 * W, new Budget(W), 0);
    receive(w, 5000);
    byte[] out = new byte[W];
    assertThat(w.take(out, 0, 3000)).isEqualTo(3000);
    receive(w, 3000); // wraps around the 5,000-byte ring
    assertThat(w.buffered()).isEqualTo(5000);
    assertThat(w.take(out, 0, W)).isEqualTo(5000);
    for (int i = 0; i < 2000; i++) {
      assertThat(out[i]).isEqualTo((byte) (3000 + i));
    }
    for (int i = 0; i < 3000; i++) {
      assertThat(out[2000 + i]).isEqualTo((byte) i);
    }
    assertThatThrownBy(() -> w.admit(YamuxFrame.data(1, 0, W - 8000 + 1)))
        .isInstanceOf(ProtocolException.class);
    byte[] stale = w.room(10);
    w.drop();
    assertThat(w.landed(stale, 10)).as("the ring was dropped meanwhile").isFalse();
    assertThat(w.buffered()).isZero();
  }

  @Test
  void aDrainedRingTakesTheNextPayloadAtItsFront() throws Exception {
    YamuxReceiveWindow w = new YamuxReceiveWindow(16 * W, new Budget(W), 0);
    byte[] out = new byte[W];
    receive(w, 5000);
    assertThat(w.take(out, 0, 1000)).isEqualTo(1000);
    receive(w, 1000); // wraps: the ring's head is now at 1,000
    assertThat(w.take(out, 0, W)).isEqualTo(5000);
    assertThat(out[3999]).isEqualTo((byte) 4999);
    assertThat(out[4999]).isEqualTo((byte) 999);
    w.room(10);
    assertThat(w.tail()).as("drained: the front, still warm in the cache").isZero();
    receive(w, 10);
    assertThat(w.capacity()).as("no new ring").isEqualTo(5000);
    assertThat(w.take(out, 0, W)).isEqualTo(10);
    assertThat(out[9]).isEqualTo((byte) 9);
  }
}
