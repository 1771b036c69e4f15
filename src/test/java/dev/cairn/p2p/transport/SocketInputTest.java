package dev.cairn.p2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SocketInputTest {

  /**
   * A socket's input as the JDK's behaves for bulk reads: each read returns what has arrived, up to
   * {@code chunk} bytes. Counts reads; asking how much is available fails the test (that is a
   * system call per read on a real socket).
   */
  static final class CountingSocket extends InputStream {
    private final byte[] data;
    private final int chunk;
    private int at;
    int reads;

    CountingSocket(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      throw new AssertionError("single-byte read of the socket");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      if (at == data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, chunk), data.length - at);
      System.arraycopy(data, at, b, off, n);
      at += n;
      return n;
    }

    @Override
    public int available() {
      throw new AssertionError("available() asked of the socket");
    }
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  @Test
  void aBulkReadIsOneSocketReadStraightIntoTheCallersArray() throws IOException {
    byte[] data = bytes(100_000);
    CountingSocket socket = new CountingSocket(data, 40_000);
    SocketInput in = new SocketInput(socket, 16 * 1024);
    byte[] into = new byte[70_000];
    assertThat(in.read(into, 0, into.length)).isEqualTo(40_000);
    assertThat(socket.reads).isEqualTo(1);
    assertThat(in.available()).isZero();
    assertThat(Arrays.copyOf(into, 40_000)).isEqualTo(Arrays.copyOf(data, 40_000));
  }

  @Test
  void shortReadsAreServedFromOneSocketReadAndNeverAskWhatIsAvailable() throws IOException {
    byte[] data = bytes(5_000);
    CountingSocket socket = new CountingSocket(data, 3_000);
    SocketInput in = new SocketInput(socket, 1024);
    byte[] two = new byte[2];
    assertThat(in.read(two, 0, 2)).isEqualTo(2);
    assertThat(socket.reads).isEqualTo(1);
    assertThat(in.available()).isEqualTo(1022);
    // Less is buffered than asked: what is buffered is returned, the socket is not read again.
    byte[] rest = new byte[2_000];
    assertThat(in.read(rest, 0, rest.length)).isEqualTo(1022);
    assertThat(socket.reads).isEqualTo(1);
    assertThat(in.read()).isEqualTo(data[1024] & 0xff);
    assertThat(socket.reads).isEqualTo(2);
    // The whole stream arrives intact whatever the mix of reads, then end of stream.
    byte[] all = new byte[data.length];
    all[0] = data[0];
    all[1] = data[1];
    System.arraycopy(rest, 0, all, 2, 1022);
    all[1024] = data[1024];
    assertThat(in.readNBytes(all, 1025, data.length - 1025)).isEqualTo(data.length - 1025);
    assertThat(all).isEqualTo(data);
    assertThat(in.read()).isEqualTo(-1);
    assertThat(in.read(rest, 0, rest.length)).isEqualTo(-1);
  }

  @Test
  void theHookRunsBeforeASocketReadThatWouldWaitAndOnlyThen() throws IOException {
    byte[] data = bytes(300);
    int[] hooks = {0};
    InputStream socket =
        new InputStream() {
          private int at;
          private int arrived = 100;

          @Override
          public int read() {
            throw new AssertionError("single-byte read of the socket");
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (at == arrived) {
              arrived += 100; // the read waited for the next 100 bytes
            }
            int n = Math.min(len, arrived - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
          }

          @Override
          public int available() {
            return arrived - at;
          }
        };
    SocketInput in = new SocketInput(socket, 16);
    in.beforeBlocking(() -> hooks[0]++);
    byte[] b = new byte[64];
    assertThat(in.read(b, 0, 64)).isEqualTo(64);
    assertThat(in.read(b, 0, 64)).isEqualTo(36);
    assertThat(hooks[0]).as("data was there").isZero();
    assertThat(in.read(b, 0, 64)).isEqualTo(64);
    assertThat(hooks[0]).as("nothing was there: the read waited").isEqualTo(1);
    assertThat(in.read(b, 0, 2)).isEqualTo(2);
    assertThat(b[1]).isEqualTo(data[165]);
    assertThat(hooks[0]).isEqualTo(1);
  }
}
