package dev.cairn.p2p.host;

/**
 * Hears connections open and close. Called on the connection manager's owner thread, in order:
 * implementations must return quickly and never block (start a virtual thread for slow work).
 */
public interface ConnectionListener {
  default void connected(Connection connection) {}

  default void disconnected(Connection connection) {}
}
