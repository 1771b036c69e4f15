package dev.cairn.p2p.host;

/**
 * Serves one protocol's inbound streams. {@link #handle} runs on the stream's own virtual thread
 * and may block on reads and writes; when it returns, the host closes the stream. A thrown
 * exception resets the stream ({@link dev.cairn.p2p.ProtocolException}s are logged at DEBUG as the
 * peer's fault, anything else at ERROR as ours).
 */
@FunctionalInterface
public interface ProtocolHandler {
  void handle(Stream stream) throws Exception;
}
