package dev.cairn.p2p.reqresp;

import java.io.IOException;

/** The responder answered with an error code (anything but {@link RpcCode#SUCCESS}). */
public final class RpcException extends IOException {
  private final RpcCode code;

  public RpcException(RpcCode code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public RpcCode code() {
    return code;
  }
}
