package dev.cairn.chain.store;

/**
 * The store cannot be read or written, or what it holds is not a consistent chain. Unchecked: the
 * chain owner cannot carry on after it and stops the node (a restart reopens into the last
 * committed write batch).
 */
public final class StoreException extends RuntimeException {
  /** With a message. */
  public StoreException(String message) {
    super(message);
  }

  /** With a message and the RocksDB failure. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
