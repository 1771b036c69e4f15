package dev.cairn.p2p.reqresp;

import dev.cairn.p2p.WireCode;

/** The result code that starts every response chunk. */
public enum RpcCode implements WireCode {
  SUCCESS(0),
  /** The request was malformed or asked for more than allowed. The requester is at fault. */
  INVALID_REQUEST(1),
  /** The responder failed. Nobody's fault on the wire; try another peer. */
  SERVER_ERROR(2),
  /** The responder does not have what was asked for. */
  RESOURCE_UNAVAILABLE(3),
  /** The requester sent too many requests; retry later. */
  RATE_LIMITED(4);

  private final int code;

  RpcCode(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  static RpcCode of(int code) {
    return WireCode.lookup(values(), code);
  }
}
