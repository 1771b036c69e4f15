package dev.cairn.p2p.gossip;

/**
 * What a publish did: the message's id and how many peers it was sent to (0 means no peer of the
 * topic was known; the message is still cached and may reach peers by gossip later).
 */
public record PublishResult(MessageId id, int peers) {}
