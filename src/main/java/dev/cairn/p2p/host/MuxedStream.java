package dev.cairn.p2p.host;

import dev.cairn.p2p.yamux.YamuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A yamux stream with its negotiated protocol and connection. */
final class MuxedStream implements Stream {
  private final YamuxStream stream;
  private final String protocol;
  private final Connection connection;

  MuxedStream(YamuxStream stream, String protocol, Connection connection) {
    this.stream = stream;
    this.protocol = protocol;
    this.connection = connection;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public Connection connection() {
    return connection;
  }

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
