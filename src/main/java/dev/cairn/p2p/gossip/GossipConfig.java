package dev.cairn.p2p.gossip;

import dev.cairn.owner.Copyable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Gossipsub router parameters, with the spec's defaults in {@link #defaults()} (gossipsub v1.0 and
 * v1.1, "Parameters"). Where the spec names no value we follow go/js (see each field).
 *
 * @param d desired mesh degree (D)
 * @param dLo lower bound: below it the heartbeat grafts up to D
 * @param dHi upper bound: above it the heartbeat prunes down to D
 * @param dScore peers kept by score when pruning an oversubscribed mesh
 * @param dOut outbound-connection peers the mesh keeps (must be below dLo and at most D/2)
 * @param dLazy peers gossiped to (IHAVE) per topic per heartbeat, at least
 * @param gossipFactor share of eligible peers gossiped to when that is more than dLazy
 * @param heartbeat heartbeat interval
 * @param fanoutTtl how long a fanout topic lives after our last publish to it
 * @param mcacheLen history windows kept in the message cache (IWANT served from these)
 * @param mcacheGossip windows whose ids are advertised in IHAVE
 * @param seenTtl how long a message id is remembered for duplicate suppression
 * @param pruneBackoff backoff we ask for (and apply) when pruning
 * @param unsubscribeBackoff backoff when we leave a topic
 * @param graftFloodThreshold a GRAFT this soon after our PRUNE earns an extra penalty
 * @param opportunisticGraftTicks heartbeats between opportunistic grafting rounds
 * @param opportunisticGraftPeers peers grafted per opportunistic round
 * @param floodPublish send our own messages to every topic peer above the publish threshold
 * @param doPx attach peer exchange (peer ids) to the PRUNEs we send for an oversubscribed mesh or
 *     when we leave a topic (never to a peer with a negative score)
 * @param prunePeers PX entries per PRUNE at most, sent and followed
 * @param maxPxDials peers dialled because of PX per heartbeat at most, and PX dials in flight at
 *     most; PX beyond it is dropped (the peers are not remembered)
 * @param maxRpcBytes the largest RPC read or written (length prefix limit); 1 MiB as go
 * @param maxIHaveLength message ids per IHAVE we send, and ids we ask for per peer per heartbeat
 * @param maxIHaveMessages IHAVE messages accepted per peer per heartbeat
 * @param iwantFollowup time for a peer to deliver what we asked for before its promise is broken
 * @param gossipRetransmission times one message is sent to one peer in answer to IWANT
 * @param seenCacheSize ids remembered at most; at the limit the oldest is forgotten early
 * @param mcacheMaxMessages messages cached at most; at the limit new messages are not cached (they
 *     are still delivered and forwarded, only not offered by gossip)
 * @param peerQueue RPCs queued for one peer's writer; at the limit the RPC is dropped (counted in
 *     {@link GossipStats#queueDropped()}) and the peer is dropped (disconnected) because it cannot
 *     keep up, and nobody else waits for it
 * @param peerQueueBytes bytes ({@link Rpc#wireSize()}) queued for one peer's writer; at the limit
 *     as at {@code peerQueue}: nothing is buffered past it
 * @param maxHeldBytes bytes kept for a peer whose stream from us is still opening (sent once it
 *     opens, dropped if it fails or the peer leaves); pieces beyond it are dropped and counted
 * @param mailbox commands queued for the router; peers' RPCs beyond it are dropped (and counted
 *     against the peer), local callers wait
 * @param mailboxBytes bytes of peers' RPCs waiting in the mailbox; an RPC that would pass it is
 *     dropped as at a full mailbox
 * @param maxPendingValidations messages in validation at once; beyond it new ones are IGNOREd
 * @param maxPendingValidationBytes bytes of messages in validation at once; a message that would
 *     pass it is IGNOREd as at {@code maxPendingValidations}
 * @param validationTimeout a validator that has not answered after this long is taken to have
 *     answered IGNORE and its slot is freed; a later answer is dropped (checked each heartbeat)
 * @param maxTopicsPerPeer topics one peer may subscribe to; further subscriptions are ignored and
 *     count as a behaviour penalty
 * @param idontwantThreshold gossipsub v1.2: a message of at least this many data bytes makes us
 *     send IDONTWANT to our mesh peers of its topic as soon as it arrives, before validation; 0 or
 *     less turns sending IDONTWANT off (received ones are still honoured)
 * @param idontwantMaxIds message ids kept from one peer's IDONTWANT; further ones are ignored until
 *     older ones expire (also the most ids we read from one IDONTWANT RPC)
 * @param idontwantTtl how long a received IDONTWANT id is kept
 * @param signaturePolicy signing of the messages we publish and checks on those we receive
 * @param messageId default message id function
 * @param topicMessageIds per-topic message id functions, overriding {@code messageId}
 * @param score peer scoring parameters
 * @param thresholds score thresholds
 */
public record GossipConfig(
    int d,
    int dLo,
    int dHi,
    int dScore,
    int dOut,
    int dLazy,
    double gossipFactor,
    Duration heartbeat,
    Duration fanoutTtl,
    int mcacheLen,
    int mcacheGossip,
    Duration seenTtl,
    Duration pruneBackoff,
    Duration unsubscribeBackoff,
    Duration graftFloodThreshold,
    int opportunisticGraftTicks,
    int opportunisticGraftPeers,
    boolean floodPublish,
    boolean doPx,
    int prunePeers,
    int maxPxDials,
    int maxRpcBytes,
    int maxIHaveLength,
    int maxIHaveMessages,
    Duration iwantFollowup,
    int gossipRetransmission,
    int seenCacheSize,
    int mcacheMaxMessages,
    int peerQueue,
    long peerQueueBytes,
    long maxHeldBytes,
    int mailbox,
    long mailboxBytes,
    int maxPendingValidations,
    long maxPendingValidationBytes,
    Duration validationTimeout,
    int maxTopicsPerPeer,
    int idontwantThreshold,
    int idontwantMaxIds,
    Duration idontwantTtl,
    SignaturePolicy signaturePolicy,
    MessageIdFunction messageId,
    Map<String, MessageIdFunction> topicMessageIds,
    PeerScoreParams score,
    PeerScoreThresholds thresholds)
    implements Copyable<GossipConfig> {

  public GossipConfig {
    if (!(dOut < dLo && dOut <= d / 2 && dLo <= d && d <= dHi && dScore <= d)) {
      throw new IllegalArgumentException(
          "need D_out < D_lo <= D <= D_hi, D_out <= D/2 and D_score <= D");
    }
    if (prunePeers < 0 || maxPxDials < 0 || validationTimeout.isNegative()) {
      throw new IllegalArgumentException("negative PX limit or validation timeout");
    }
    if (peerQueueBytes <= 0
        || maxHeldBytes < 0
        || mailboxBytes <= 0
        || maxPendingValidationBytes <= 0
        || idontwantMaxIds < 0
        || idontwantTtl.isNegative()) {
      throw new IllegalArgumentException("non-positive byte bound or negative IDONTWANT limit");
    }
    if (peerQueueBytes < maxRpcBytes
        || maxPendingValidationBytes < maxRpcBytes
        || mailboxBytes < maxRpcBytes) {
      // one RPC (one message) of the largest size must fit an empty queue
      throw new IllegalArgumentException("a queue's byte bound below maxRpcBytes");
    }
    if (mcacheGossip > mcacheLen) {
      throw new IllegalArgumentException("mcacheGossip must not exceed mcacheLen");
    }
    topicMessageIds = Map.copyOf(topicMessageIds);
  }

  /** The spec's defaults; StrictSign and the from‖seqno message id, as libp2p's default. */
  public static GossipConfig defaults() {
    return new GossipConfig(
        6,
        4,
        12,
        4,
        2,
        6,
        0.25,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        5,
        3,
        Duration.ofMinutes(2),
        Duration.ofMinutes(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        60,
        2,
        true,
        false,
        16,
        16,
        1 << 20,
        5000,
        10,
        Duration.ofSeconds(3),
        3,
        200_000,
        10_000,
        1024,
        8L << 20,
        1L << 20,
        8192,
        64L << 20,
        4096,
        32L << 20,
        Duration.ofSeconds(10),
        1000,
        1024,
        1000,
        Duration.ofSeconds(3),
        SignaturePolicy.STRICT_SIGN,
        MessageIdFunction.fromAndSeqno(),
        Map.of(),
        PeerScoreParams.defaults(),
        PeerScoreThresholds.defaults());
  }

  /**
   * Cairn's chain profile: StrictNoSign with SHA-256 content ids (a block or transaction has one id
   * whoever relays it), otherwise the spec defaults.
   */
  public static GossipConfig cairn() {
    return defaults()
        .withSignaturePolicy(SignaturePolicy.STRICT_NO_SIGN)
        .withMessageId(MessageIdFunction.sha256());
  }

  MessageIdFunction messageIdFor(String topic) {
    return topicMessageIds.getOrDefault(topic, messageId);
  }

  public GossipConfig withSignaturePolicy(SignaturePolicy p) {
    return copy().set("signaturePolicy", p).build();
  }

  public GossipConfig withMessageId(MessageIdFunction f) {
    return copy().set("messageId", f).build();
  }

  public GossipConfig withTopicMessageId(String topic, MessageIdFunction f) {
    Map<String, MessageIdFunction> m = new HashMap<>(topicMessageIds);
    m.put(topic, f);
    return copy().set("topicMessageIds", m).build();
  }

  public GossipConfig withScore(PeerScoreParams s, PeerScoreThresholds t) {
    return copy().set("score", s).set("thresholds", t).build();
  }

  public GossipConfig withFloodPublish(boolean on) {
    return copy().set("floodPublish", on).build();
  }

  public GossipConfig withHeartbeat(Duration d) {
    return copy().set("heartbeat", d).build();
  }

  public GossipConfig withPeerQueue(int n) {
    return copy().set("peerQueue", n).build();
  }

  public GossipConfig withPeerQueueBytes(long n) {
    return copy().set("peerQueueBytes", n).build();
  }

  public GossipConfig withMaxHeldBytes(long n) {
    return copy().set("maxHeldBytes", n).build();
  }

  public GossipConfig withMailboxBytes(long n) {
    return copy().set("mailboxBytes", n).build();
  }

  public GossipConfig withMaxPendingValidationBytes(long n) {
    return copy().set("maxPendingValidationBytes", n).build();
  }

  public GossipConfig withMaxRpcBytes(int n) {
    return copy().set("maxRpcBytes", n).build();
  }

  public GossipConfig withPruneBackoff(Duration d) {
    return copy().set("pruneBackoff", d).build();
  }

  /** With peer exchange in our PRUNEs on or off (following received PX is governed by score). */
  public GossipConfig withDoPx(boolean on) {
    return copy().set("doPx", on).build();
  }

  public GossipConfig withMaxPendingValidations(int n) {
    return copy().set("maxPendingValidations", n).build();
  }

  public GossipConfig withValidationTimeout(Duration d) {
    return copy().set("validationTimeout", d).build();
  }
}
