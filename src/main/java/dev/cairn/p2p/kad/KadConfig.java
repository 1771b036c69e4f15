package dev.cairn.p2p.kad;

import dev.cairn.owner.Copyable;
import java.time.Duration;

/**
 * Settings of the Kademlia DHT.
 *
 * @param protocolId the stream protocol, {@code /ipfs/kad/1.0.0} by default; an application gives
 *     its own network's id (Cairn's node builds one per network) so that networks never mix
 * @param k bucket size and the number of closest peers a lookup returns (spec: 20)
 * @param alpha requests in flight per lookup. We use 3 (the Kademlia paper's value) rather than the
 *     10 of go and js: the termination rule (the k closest have all answered) makes α a latency
 *     knob only, not a correctness one, and 3 keeps a lookup to 3 streams and fewer new connections
 *     at a time; discovery runs in the background, where a few more round trips do not matter
 * @param serverMode serve the protocol (and so be listed in identify and enter others' tables); a
 *     client only queries
 * @param requestTimeout one FIND_NODE round trip; a silent peer costs at most this
 * @param queryTimeout a whole lookup
 * @param maxPeersPerResponse closer peers kept from one response (the rest are dropped)
 * @param walkInterval how often discovery checks the connection count and, below the target, runs a
 *     random walk and dials what it finds
 * @param refreshInterval how often discovery looks itself up and refreshes stale buckets (spec: 10
 *     min)
 * @param targetConnections discovery dials peers while we have outbound connections (ones we
 *     dialled) to fewer peers than this, and stops dialling at or above it; inbound peers do not
 *     count, so peers that connect to us cannot stop us from choosing our own
 * @param failureLimit consecutive failed requests after which a peer leaves the routing table (a
 *     protocol violation evicts at once)
 * @param livenessInterval a full bucket checks its least recently seen peer before keeping a
 *     newcomer only if that peer was not seen within this interval
 * @param serverIdleTimeout an inbound stream that sends no request for this long is reset
 */
public record KadConfig(
    String protocolId,
    int k,
    int alpha,
    boolean serverMode,
    Duration requestTimeout,
    Duration queryTimeout,
    int maxPeersPerResponse,
    Duration walkInterval,
    Duration refreshInterval,
    int targetConnections,
    int failureLimit,
    Duration livenessInterval,
    Duration serverIdleTimeout)
    implements Copyable<KadConfig> {

  public static final String DEFAULT_PROTOCOL_ID = "/ipfs/kad/1.0.0";

  public KadConfig {
    if (k < 1
        || alpha < 1
        || maxPeersPerResponse < 1
        || targetConnections < 0
        || failureLimit < 1) {
      throw new IllegalArgumentException("bad kad config");
    }
    if (!protocolId.startsWith("/")) {
      throw new IllegalArgumentException("protocol id must start with '/': " + protocolId);
    }
  }

  /** Spec defaults on {@code /ipfs/kad/1.0.0}, server mode. */
  public static KadConfig defaults() {
    return new KadConfig(
        DEFAULT_PROTOCOL_ID,
        20,
        3,
        true,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        20,
        Duration.ofSeconds(10),
        Duration.ofMinutes(10),
        25,
        2,
        Duration.ofMinutes(1),
        Duration.ofSeconds(30));
  }

  public KadConfig withProtocolId(String id) {
    return copy().set("protocolId", id).build();
  }

  /** Bucket size and lookup width. */
  public KadConfig withK(int n) {
    return copy().set("k", n).build();
  }

  public KadConfig withTimeouts(Duration request, Duration query) {
    return copy().set("requestTimeout", request).set("queryTimeout", query).build();
  }
}
