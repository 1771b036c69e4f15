package dev.cairn.chain;

/**
 * The chain service has stopped (closed, or its owner died of {@code cause}): commands sent to it
 * fail with this. Callers answer "unavailable" (the API's 503), not "internal error".
 */
public final class ChainStoppedException extends IllegalStateException {
  public ChainStoppedException(Throwable cause) {
    super("chain service stopped", cause);
  }
}
