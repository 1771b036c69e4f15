package dev.cairn.p2p.host;

import dev.cairn.p2p.yamux.YamuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A yamux stream with its negotiated protocol and connection (the record's accessors are {@link
 * Stream#protocol()} and {@link Stream#connection()}). Each yamux stream is wrapped once, so equal
 * means the same stream.
 */
record MuxedStream(YamuxStream stream, String protocol, Connection connection) implements Stream {
  @Override
  public InputStream in() {
    return stream.in();
  }

  @Override
  public OutputStream out() {
    return stream.out();
  }

  @Override
  public void closeWrite() throws IOException {
    stream.closeWrite();
  }

  @Override
  public void reset() {
    stream.reset();
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (IOException e) {
      stream.reset(); // the FIN could not be sent: the connection is going; release the stream
    }
  }

  @Override
  public String toString() {
    return protocol + "#" + stream.id() + "@" + connection.remotePeer().shortString();
  }
}
