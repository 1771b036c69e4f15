package dev.cairn.p2p.transport;

import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * TCP over blocking JDK sockets: on virtual threads a blocked read parks the virtual thread, not a
 * platform thread, so a connection costs no platform thread.
 */
public final class TcpTransport implements Transport {
  /*
   * Buffer sizes, per connection. They used to be 128 KiB each, 256 KiB per connection (the JDK
   * allocates a BufferedOutputStream's buffer at once and a BufferedInputStream's at the first
   * read): a thousand connections needed 250 MiB of heap for buffers that bulk transfer does not
   * need. Noise above already coalesces plaintext into messages of up to 64 KiB.
   *
   * Writing: a message at least WRITE_BUFFER long bypasses the buffer and goes to the socket
   * without a copy; smaller ones (handshake lines, small messages) are coalesced until flush.
   * Reading: 2-byte lengths and headers are served from the buffer; reads of at least the buffer
   * size find it empty and go straight from the socket into the caller's array (Noise reads as
   * much as it can take), again saving a copy. SocketInput, not BufferedInputStream, which asks
   * the socket how much is available after every short read: one system call more per read.
   */
  private static final int WRITE_BUFFER = 8 * 1024;
  private static final int READ_BUFFER = 16 * 1024;

  @Override
  public boolean handles(Multiaddr address) {
    return address.isTcp();
  }

  @Override
  public RawConnection dial(Multiaddr address, Duration timeout) throws IOException {
    return dial(address, timeout, null);
  }

  /**
   * Binds the socket to {@code source}'s IP (any free port) before connecting, when it is a
   * specific address (not a wildcard) of the target's family and of the same kind (loopback or
   * not): a node listening on 127.0.0.3 then dials from 127.0.0.3, so its peers see, and can tell
   * apart, the address it listens on. Otherwise the system picks the source.
   */
  @Override
  public RawConnection dial(Multiaddr address, Duration timeout, Multiaddr source)
      throws IOException {
    InetSocketAddress target = address.toTcpSocketAddress();
    if (target.isUnresolved()) {
      target = new InetSocketAddress(target.getHostString(), target.getPort());
      if (target.isUnresolved()) {
        throw new IOException("cannot resolve " + target.getHostString());
      }
    }
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      java.net.InetAddress from = sourceFor(target.getAddress(), source);
      if (from != null) {
        socket.bind(new InetSocketAddress(from, 0));
      }
      socket.connect(target, (int) Math.max(1, timeout.toMillis()));
    } catch (SocketTimeoutException e) {
      socket.close();
      throw new SocketTimeoutException("dial " + address + " timed out after " + timeout);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return TcpConnection.of(socket, true);
  }

  /** The IP to bind a dial to {@code target} from, or null to let the system choose. */
  static java.net.InetAddress sourceFor(java.net.InetAddress target, Multiaddr source) {
    if (source == null || target == null || !source.isTcp()) {
      return null;
    }
    java.net.InetAddress from;
    try {
      from = source.toTcpSocketAddress().getAddress();
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (from == null
        || from.isAnyLocalAddress()
        || from.getClass() != target.getClass()
        || from.isLoopbackAddress() != target.isLoopbackAddress()) {
      return null;
    }
    return from;
  }

  @Override
  public Listener listen(Multiaddr address) throws IOException {
    InetSocketAddress bind = address.toTcpSocketAddress();
    if (bind.isUnresolved()) {
      bind = new InetSocketAddress(bind.getHostString(), bind.getPort());
    }
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind, 1024);
    Multiaddr bound =
        Multiaddr.ofTcp(new InetSocketAddress(bind.getAddress(), server.getLocalPort()));
    return new Listener() {
      @Override
      public Multiaddr address() {
        return bound;
      }

      @Override
      public RawConnection accept() throws IOException {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        return TcpConnection.of(socket, false);
      }

      @Override
      public void close() throws IOException {
        server.close();
      }
    };
  }

  /** One TCP socket with buffered streams; the upgrade layers flush at message boundaries. */
  private record TcpConnection(
      Socket socket,
      boolean initiator,
      InputStream in,
      OutputStream out,
      Multiaddr localAddress,
      Multiaddr remoteAddress)
      implements RawConnection {

    static TcpConnection of(Socket socket, boolean initiator) throws IOException {
      return new TcpConnection(
          socket,
          initiator,
          new SocketInput(socket.getInputStream(), READ_BUFFER),
          new BufferedOutputStream(socket.getOutputStream(), WRITE_BUFFER),
          Multiaddr.ofTcp((InetSocketAddress) socket.getLocalSocketAddress()),
          Multiaddr.ofTcp((InetSocketAddress) socket.getRemoteSocketAddress()));
    }

    @Override
    public boolean whenReadWouldBlock(Runnable hook) {
      ((SocketInput) in).beforeBlocking(hook);
      return true;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }

    @Override
    public String toString() {
      return "tcp " + localAddress + " <-> " + remoteAddress;
    }
  }
}
