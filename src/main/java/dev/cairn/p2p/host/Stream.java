package dev.cairn.p2p.host;

import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.transport.Duplex;

/**
 * A multiplexed stream on a connection, after its protocol was negotiated. Reads block the calling
 * (virtual) thread; {@code in()} returns -1 once the remote closed its writing side.
 *
 * <p>Threading: one reader and one writer at a time (they may be different threads).
 */
public interface Stream extends Duplex {

  /** The negotiated protocol id. */
  String protocol();

  Connection connection();

  default PeerId remotePeer() {
    return connection().remotePeer();
  }

  /** Half-close: we send no more; the remote's data still arrives. */
  void closeWrite() throws java.io.IOException;

  /** Abort both directions at once (yamux RST). */
  void reset();

  /** Closes our writing side and stops reading; the stream is released. */
  @Override
  void close();
}
