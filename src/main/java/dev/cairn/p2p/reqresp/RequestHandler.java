package dev.cairn.p2p.reqresp;

import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;

/**
 * Answers one request on the stream's own virtual thread. Write zero or more chunks with {@link
 * Responder#chunk}; throw {@link RpcException} to answer with an error code instead (after any
 * chunks already written).
 */
@FunctionalInterface
public interface RequestHandler {
  void handle(PeerId peer, byte[] request, Responder responder) throws IOException;

  /** Where the handler writes its answer. */
  interface Responder {
    /** Sends one SUCCESS chunk. Fails with IllegalStateException past the chunk limits. */
    void chunk(byte[] payload) throws IOException;
  }
}
