package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each write to a yamux stream is a frame, a Noise message and a system call of its own, on both
 * ends: the sender writes an RPC's length prefix and body in one write, and the RPCs queued while
 * it wrote the last ones in one write together.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerSenderWriteTest {
  @RegisterExtension final TestNet net = TestNet.memory();

  @Test
  void anRpcAndTheRpcsQueuedBehindItGoOutInOneWriteEach() throws Exception {
    Libp2p us = net.host();
    Libp2p reader = net.host();
    reader.host().setHandler("/test/sink", s -> s.in().transferTo(OutputStream.nullOutputStream()));
    us.host().dial(reader.host().fullAddress().orElseThrow());
    PeerId peer = reader.host().peerId();
    CountingStream stream = new CountingStream(us.host().newStream(peer, "/test/sink"));
    ResourceManager.Reservation budget = us.host().resources().reserve(peer, "/test/sink", 0);
    PeerSender sender = new PeerSender(stream, 64, 1 << 20, 1 << 20, budget, (s, slow) -> {});
    try {
      // Queued before the writer starts: they are all waiting when it takes the first.
      for (int i = 0; i < 3; i++) {
        assertThat(sender.offer(rpc(i), 1100)).isEqualTo(PeerSender.Offer.QUEUED);
      }
      sender.start();
      Await.until(() -> sender.queuedBytes() == 0, "the queue written");
      assertThat(stream.writes).hasSize(1);
      assertThat(decodeAll(stream.writes.get(0)))
          .extracting(r -> r.messages().get(0).data()[0])
          .containsExactly((byte) 0, (byte) 1, (byte) 2);

      assertThat(sender.offer(rpc(3), 1100)).isEqualTo(PeerSender.Offer.QUEUED);
      Await.until(() -> sender.queuedBytes() == 0, "the queue written");
      assertThat(stream.writes).as("length prefix and body in one write").hasSize(2);
      assertThat(decodeAll(stream.writes.get(1))).hasSize(1);
    } finally {
      sender.close();
    }
  }

  private static List<Rpc> decodeAll(byte[] written) throws Exception {
    InputStream in = new ByteArrayInputStream(written);
    List<Rpc> rpcs = new java.util.ArrayList<>();
    int len;
    while ((len =
            (int)
                dev.cairn.p2p.multiformats.Varint.read(
                    in, dev.cairn.p2p.ProtocolException.Scope.STREAM))
        >= 0) {
      rpcs.add(GossipCodec.decode(in.readNBytes(len), GossipCodec.Limits.of(GossipConfig.cairn())));
    }
    return rpcs;
  }

  private static Rpc rpc(int i) {
    byte[] data = new byte[1024];
    data[0] = (byte) i;
    return Rpc.ofMessage(new Rpc.Message(null, data, null, "t", null, null));
  }

  /** A stream that records what each call to its output's write methods wrote. */
  private static final class CountingStream implements Stream {
    final Stream inner;
    final List<byte[]> writes = new CopyOnWriteArrayList<>();
    final OutputStream out;

    CountingStream(Stream inner) {
      this.inner = inner;
      OutputStream below = inner.out();
      this.out =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
              below.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              below.flush();
            }
          };
    }

    @Override
    public InputStream in() {
      return inner.in();
    }

    @Override
    public OutputStream out() {
      return out;
    }

    @Override
    public String protocol() {
      return inner.protocol();
    }

    @Override
    public Connection connection() {
      return inner.connection();
    }

    @Override
    public void closeWrite() throws IOException {
      inner.closeWrite();
    }

    @Override
    public void reset() {
      inner.reset();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
