package dev.cairn.p2p.reqresp;

import dev.cairn.owner.Copyable;
import java.time.Duration;

/**
 * Limits of one request/response protocol.
 *
 * @param protocolId e.g. {@code /cairn/dev/req/status/1}
 * @param maxRequestBytes a longer request is answered INVALID_REQUEST and costs the peer standing
 * @param maxChunkBytes a longer response chunk is a protocol violation by the responder
 * @param maxChunks chunks in one response (e.g. blocks per request); a request may allow fewer
 * @param maxResponseBytes payload bytes of all chunks of one response together; a request may allow
 *     fewer. Checked at each chunk's length prefix, before the chunk is buffered.
 * @param firstByteTimeout time from sending the request to the first response byte
 * @param responseTimeout time for the whole response
 * @param maxConcurrentPerPeer requests one peer may have in progress with us at once
 * @param requestsPerSecond sustained request rate allowed per peer
 * @param burst requests a peer may send at once before the rate applies
 */
public record ReqRespConfig(
    String protocolId,
    int maxRequestBytes,
    int maxChunkBytes,
    int maxChunks,
    Duration firstByteTimeout,
    Duration responseTimeout,
    int maxConcurrentPerPeer,
    double requestsPerSecond,
    int burst,
    long maxResponseBytes)
    implements Copyable<ReqRespConfig> {

  public ReqRespConfig {
    if (maxRequestBytes < 1
        || maxChunkBytes < 1
        || maxChunks < 1
        || maxConcurrentPerPeer < 1
        || maxResponseBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /**
   * 64 KiB requests, 4 MiB chunks, 128 chunks but 16 MiB per response, 5 s to first byte, 30 s in
   * all, 4 at once, 20/s.
   */
  public static ReqRespConfig defaults(String protocolId) {
    return new ReqRespConfig(
        protocolId,
        64 * 1024,
        4 * 1024 * 1024,
        128,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        4,
        20,
        40,
        16L << 20);
  }

  /** The same with another response byte budget. */
  public ReqRespConfig withMaxResponseBytes(long n) {
    return copy().set("maxResponseBytes", n).build();
  }

  public ReqRespConfig withTimeouts(Duration firstByte, Duration whole) {
    return copy().set("firstByteTimeout", firstByte).set("responseTimeout", whole).build();
  }
}
