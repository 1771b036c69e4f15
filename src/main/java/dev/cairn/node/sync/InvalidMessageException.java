package dev.cairn.node.sync;

/**
 * A peer sent sync data we cannot accept (undecodable, over a limit, unrequested, not linked). The
 * sender is at fault: the caller penalises it.
 */
public final class InvalidMessageException extends Exception {
  public InvalidMessageException(String message) {
    super(message);
  }
}
