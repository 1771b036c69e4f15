package dev.cairn.p2p.host;

import java.io.IOException;

/** The remote supports none of the protocols we proposed for a new stream. */
public final class StreamNegotiationException extends IOException {
  public StreamNegotiationException(String message, Throwable cause) {
    super(message, cause);
  }
}
