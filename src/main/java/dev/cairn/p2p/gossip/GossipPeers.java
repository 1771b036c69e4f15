package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The router's peers and the topics each subscribes to. Part of {@link GossipState}: stepped on its
 * owner thread only.
 */
final class GossipPeers {

  /**
   * One peer: its protocol, direction, the state of our stream to it and per-heartbeat counters.
   * {@code up}: our stream to it is open (we can send). {@code opening}: we are opening it; what we
   * send meanwhile is held by the {@link Outbox} and goes out when it opens. A peer that is neither
   * is known only from its own stream to us and gets nothing.
   */
  static final class Peer {
    final PeerId id;
    String protocol;
    boolean outbound;
    boolean up;
    boolean opening;
    DontWant.Ids dontWant; // gossipsub v1.2: ids it asked us not to send (null: none)
    final Set<String> topics = new HashSet<>();
    int ihaves;
    int asked;
    int unknownGrafts;

    Peer(PeerId id) {
      this.id = id;
    }

    boolean floodsub() {
      return GossipState.FLOODSUB.equals(protocol);
    }

    /** Speaks v1.1 or later (PRUNE backoff and PX). */
    boolean v11() {
      return GossipState.MESHSUB_11.equals(protocol) || v12();
    }

    /** Speaks v1.2 (IDONTWANT). */
    boolean v12() {
      return GossipState.MESHSUB_12.equals(protocol);
    }

    /** Our stream to it is open or opening: what we send it now reaches it. */
    boolean reachable() {
      return up || opening;
    }
  }

  private final Map<PeerId, Peer> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> topicPeers = new HashMap<>();

  Peer get(PeerId id) {
    return peers.get(id);
  }

  Peer getOrAdd(PeerId id) {
    return peers.computeIfAbsent(id, Peer::new);
  }

  Peer remove(PeerId id) {
    return peers.remove(id);
  }

  Collection<Peer> all() {
    return peers.values();
  }

  /** The peers subscribed to {@code topic} (a live view; empty if none). */
  Set<PeerId> inTopic(String topic) {
    return topicPeers.getOrDefault(topic, Set.of());
  }

  void addToTopic(String topic, PeerId id) {
    topicPeers.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(id);
  }

  void removeFromTopic(String topic, PeerId id) {
    Set<PeerId> tp = topicPeers.get(topic);
    if (tp != null) {
      tp.remove(id);
      if (tp.isEmpty()) {
        topicPeers.remove(topic);
      }
    }
  }

  boolean isOutbound(PeerId id) {
    Peer p = peers.get(id);
    return p != null && p.outbound;
  }

  /**
   * Whether {@code id} is reachable (our stream to it open or opening) and not known to speak only
   * floodsub. A peer whose stream is still opening counts: what we send it is held until it opens
   * (if it then turns out to speak floodsub, it leaves the meshes).
   */
  boolean meshCapable(PeerId id) {
    Peer p = peers.get(id);
    return p != null && p.reachable() && !p.floodsub();
  }

  /** Whether {@code id} is known and speaks floodsub. */
  boolean isFloodsub(PeerId id) {
    Peer p = peers.get(id);
    return p != null && p.floodsub();
  }

  /** Resets the per-heartbeat counters of every peer. */
  void newHeartbeat() {
    for (Peer p : peers.values()) {
      p.ihaves = 0;
      p.asked = 0;
      p.unknownGrafts = 0;
    }
  }

  static <T> List<T> shuffled(Set<T> set, Random random) {
    List<T> l = new ArrayList<>(set);
    Collections.shuffle(l, random);
    return l;
  }
}
