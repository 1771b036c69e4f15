package dev.cairn.p2p.host;

/**
 * Hears connections open and close, and peers banned. Called on the connection manager's owner
 * thread, in order: implementations must return quickly and never block (start a virtual thread for
 * slow work).
 */
public interface ConnectionListener {
  default void connected(Connection connection) {}

  default void disconnected(Connection connection) {}

  /** {@code peer} was banned for {@code duration} (its connections are being closed). */
  default void banned(dev.cairn.p2p.multiformats.PeerId peer, java.time.Duration duration) {}
}
