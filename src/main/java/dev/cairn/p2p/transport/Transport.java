package dev.cairn.p2p.transport;

import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/** A way to reach peers: listen on addresses and dial them. Implementations are thread-safe. */
public interface Transport {

  /** True when this transport can dial or listen on {@code address}. */
  boolean handles(Multiaddr address);

  /**
   * Dials {@code address} (a trailing {@code /p2p/<id>} is ignored here), failing after {@code
   * timeout}.
   */
  RawConnection dial(Multiaddr address, Duration timeout) throws IOException;

  /**
   * Dials {@code address} from the local {@code source} address when the transport can (TCP binds
   * the socket to it before connecting), so that the remote sees the address we listen on rather
   * than whatever the operating system picks; {@code source} null, or one the transport cannot use
   * for this target, dials as {@link #dial(Multiaddr, Duration)}.
   */
  default RawConnection dial(Multiaddr address, Duration timeout, Multiaddr source)
      throws IOException {
    return dial(address, timeout);
  }

  /** Starts listening; port 0 picks a free port, which {@link Listener#address()} reports. */
  Listener listen(Multiaddr address) throws IOException;

  /** A bound listening socket. */
  interface Listener extends Closeable {
    /** The bound address (with the real port when 0 was asked for). */
    Multiaddr address();

    /** Blocks until a connection arrives; throws once the listener is closed. */
    RawConnection accept() throws IOException;
  }
}
