package dev.cairn.p2p.host;

/**
 * A peer's standing with us: {@code points} is zero or negative (it recovers with time; at {@link
 * ConnectionManager#BAN_THRESHOLD} the peer is banned), {@code penalties} counts the penalties it
 * received while we remember it.
 */
public record PeerStanding(int points, int penalties) {}
