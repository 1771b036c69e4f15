package dev.cairn.p2p.yamux;

import dev.cairn.testing.MemoryDuplex;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.function.Predicate;

/**
 * A hand-driven yamux peer: the test writes and reads raw frames on one end of a pipe whose other
 * end is the session under test ({@link YamuxSessions#crafted}).
 */
final class RawPeer {
  final MemoryDuplex end;

  /** The inbound streams the session under test accepted, if it was given no other handler. */
  final BlockingQueue<YamuxStream> accepted;

  private final YamuxSession session;
  private final byte[] header = new byte[12];

  RawPeer(MemoryDuplex end, YamuxSession session, BlockingQueue<YamuxStream> accepted) {
    this.end = end;
    this.session = session;
    this.accepted = accepted;
  }

  /** The session under test at the pipe's other end. */
  YamuxSession session() {
    return session;
  }

  void send(YamuxFrame frame) throws IOException {
    end.out().write(YamuxCodec.encode(frame));
    end.out().flush();
  }

  void sendData(int id, int flags, byte[] payload) throws IOException {
    end.out().write(YamuxCodec.encode(YamuxFrame.data(id, flags, payload.length)));
    end.out().write(payload);
    end.out().flush();
  }

  /** The next frame (a Data payload is skipped), or null at end of stream. */
  YamuxFrame next() throws Exception {
    YamuxFrame frame = YamuxCodec.read(end.in(), header);
    if (frame != null && frame.type() == YamuxFrame.TYPE_DATA) {
      end.in().readNBytes((int) frame.length());
    }
    return frame;
  }

  /** The next frame matching {@code wanted}, skipping others; null at end of stream. */
  YamuxFrame next(Predicate<YamuxFrame> wanted) throws Exception {
    while (true) {
      YamuxFrame frame = next();
      if (frame == null || wanted.test(frame)) {
        return frame;
      }
    }
  }
}
