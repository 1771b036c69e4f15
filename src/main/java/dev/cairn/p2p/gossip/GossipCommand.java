package dev.cairn.p2p.gossip;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Commands to the gossip router's owner thread. {@link StateCommand}s are protocol events that
 * {@link GossipState#handle} steps; the others concern the router's I/O (streams, writers) and are
 * handled by {@link GossipRouter} itself.
 */
sealed interface GossipCommand {

  /** Protocol events and queries for {@link GossipState}. */
  sealed interface StateCommand extends GossipCommand {}

  /** Our outbound pubsub stream to {@code peer} is open, speaking {@code protocol}. */
  record PeerUp(PeerId peer, String protocol, boolean outbound, String ip)
      implements StateCommand {}

  /**
   * We are opening our outbound pubsub stream to {@code peer}: what we send it until {@link PeerUp}
   * is held (bounded by bytes), not lost.
   */
  record PeerOpening(PeerId peer) implements StateCommand {}

  /** Opening our outbound stream to {@code peer} failed: what was held for it is dropped. */
  record OpenFailed(PeerId peer) implements StateCommand {}

  /**
   * The peer is gone: its last connection closed, or we dropped it (its queue overflowed). Its
   * subscriptions, mesh places and what was held for it are forgotten.
   */
  record PeerDown(PeerId peer) implements StateCommand {}

  /**
   * Our outbound stream to {@code peer} failed while a connection to it lives, and we open a new
   * one ({@link PeerOpening} follows). The peer stays: its subscriptions came on its own stream to
   * us, which is untouched, and it will not repeat them; its mesh places and score stay too.
   */
  record OutboundDown(PeerId peer) implements StateCommand {}

  /**
   * An RPC read from {@code peer}; {@code ids} holds each message's id (computed on the reader
   * thread); {@code droppedBefore} counts the peer's RPCs dropped at a full mailbox since the last
   * one that got through.
   */
  record RpcIn(PeerId peer, Rpc rpc, List<MessageId> ids, int droppedBefore)
      implements StateCommand {}

  /** The peer sent something undecodable. */
  record Misbehaved(PeerId peer, ProtocolException.Reason reason) implements StateCommand {}

  /** The signature checks and the application's validator finished with a message. */
  record Validated(
      PeerId from, MessageId id, Rpc.Message message, GossipMessage view, ValidationResult result)
      implements StateCommand {}

  /** Heartbeat. */
  record Tick() implements StateCommand {}

  record Subscribe(String topic, CompletableFuture<Void> reply) implements StateCommand {}

  record Unsubscribe(String topic, CompletableFuture<Void> reply) implements StateCommand {}

  /** Publishes an already built (and, under StrictSign, signed) message. */
  /** A local publish; {@code again}: send it even if the id is in the seen cache. */
  record Publish(
      Rpc.Message message, MessageId id, boolean again, CompletableFuture<PublishResult> reply)
      implements StateCommand {}

  /** Sets (or with null removes) the topic's validator. */
  record SetValidator(String topic, Validator validator, CompletableFuture<Void> reply)
      implements StateCommand {}

  record SetAppScore(PeerId peer, double score) implements StateCommand {}

  record MeshPeers(String topic, CompletableFuture<Set<PeerId>> reply) implements StateCommand {}

  record TopicPeers(String topic, CompletableFuture<Set<PeerId>> reply) implements StateCommand {}

  record Score(PeerId peer, CompletableFuture<Double> reply) implements StateCommand {}

  /** A connection opened: open our outbound stream if we have none. Router-level. */
  record Connected(dev.cairn.p2p.host.Connection connection) implements GossipCommand {}

  /** A connection closed. Router-level. */
  record Disconnected(PeerId peer) implements GossipCommand {}

  /** An outbound stream is negotiated; its writer is ready. Router-level. */
  record OutboundOpened(PeerSender sender, boolean outboundConnection, String ip)
      implements GossipCommand {}

  /** Opening the outbound stream failed (the peer speaks no pubsub). Router-level. */
  record OutboundFailed(PeerId peer) implements GossipCommand {}

  /** The writer stopped: write failure or, with {@code slow}, a full queue. Router-level. */
  record OutboundClosed(PeerSender sender, boolean slow) implements GossipCommand {}
}
