package dev.cairn.testing;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.transport.RawConnection;
import dev.cairn.p2p.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory transport for in-process multi-node tests: hosts sharing one {@code MemoryTransport}
 * reach each other over bounded {@link MemoryDuplex} pipes, with no sockets. Addresses look like
 * TCP ({@code /ip4/127.0.0.1/tcp/<n>}) so the host's address handling is exercised, but nothing
 * touches the network. Each {@code listen} with port 0 gets a fresh port number.
 */
public final class MemoryTransport implements Transport {
  private final Map<Integer, MemoryListener> listeners = new ConcurrentHashMap<>();
  private final AtomicInteger nextPort = new AtomicInteger(10_000);
  private final int pipeCapacity;

  public MemoryTransport() {
    this(256 * 1024);
  }

  public MemoryTransport(int pipeCapacity) {
    this.pipeCapacity = pipeCapacity;
  }

  @Override
  public boolean handles(Multiaddr address) {
    return address.isTcp();
  }

  @Override
  public RawConnection dial(Multiaddr address, Duration timeout) throws IOException {
    int port = address.toTcpSocketAddress().getPort();
    MemoryListener l = listeners.get(port);
    if (l == null) {
      throw new ConnectException("nothing listens on " + address);
    }
    int localPort = nextPort.getAndIncrement();
    MemoryDuplex[] pair = MemoryDuplex.pair(pipeCapacity);
    Multiaddr local = addr(localPort);
    Conn ours = new Conn(pair[0], true, local, l.address);
    Conn theirs = new Conn(pair[1], false, l.address, local);
    try {
      if (!l.pending.offer(theirs, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new ConnectException("listener backlog full at " + address);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
    return ours;
  }

  @Override
  public Listener listen(Multiaddr address) throws IOException {
    int port = address.toTcpSocketAddress().getPort();
    if (port == 0) {
      port = nextPort.getAndIncrement();
    }
    MemoryListener l = new MemoryListener(addr(port), port);
    if (listeners.putIfAbsent(port, l) != null) {
      throw new IOException("address in use: " + address);
    }
    return l;
  }

  private static Multiaddr addr(int port) {
    return Multiaddr.ofTcp(new InetSocketAddress("127.0.0.1", port));
  }

  private final class MemoryListener implements Listener {
    final Multiaddr address;
    final int port;
    final BlockingQueue<Conn> pending = new ArrayBlockingQueue<>(128);
    volatile boolean closed;

    MemoryListener(Multiaddr address, int port) {
      this.address = address;
      this.port = port;
    }

    @Override
    public Multiaddr address() {
      return address;
    }

    @Override
    public RawConnection accept() throws IOException {
      while (!closed) {
        try {
          Conn c = pending.poll(50, TimeUnit.MILLISECONDS);
          if (c != null) {
            return c;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException();
        }
      }
      throw new IOException("listener closed");
    }

    @Override
    public void close() {
      closed = true;
      listeners.remove(port, this);
    }
  }

  private record Conn(
      MemoryDuplex pipe, boolean initiator, Multiaddr localAddress, Multiaddr remoteAddress)
      implements RawConnection {
    @Override
    public InputStream in() {
      return pipe.in();
    }

    @Override
    public OutputStream out() {
      return pipe.out();
    }

    @Override
    public void close() {
      pipe.close();
    }
  }
}
