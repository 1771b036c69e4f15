package dev.cairn.node.api;

/**
 * Thrown by a route handler to answer with an error status and a message the client may show as is
 * (404 unknown object, 503 node busy, ...). {@link IllegalArgumentException} already means 400.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }
}
