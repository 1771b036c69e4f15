package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The message cache (gossipsub v1.0 "mcache"): validated messages of the last {@code len} heartbeat
 * windows, served in answer to IWANT; the ids of the last {@code gossip} windows are advertised in
 * IHAVE. Owned by the router's thread.
 *
 * <p>Bound: at most {@code maxMessages}; at the limit a new message is not cached (it is still
 * delivered and forwarded; only gossip about it is lost), so memory never grows past the bound.
 */
final class MessageCache {
  private record Entry(Rpc.Message message, Map<PeerId, Integer> served) {}

  private final int gossip;
  private final int maxMessages;
  private final Map<MessageId, Entry> messages = new HashMap<>();
  private final ArrayDeque<List<MessageId>> windows = new ArrayDeque<>();
  private final ArrayDeque<Map<String, Set<MessageId>>> topicWindows = new ArrayDeque<>();

  MessageCache(int len, int gossip, int maxMessages) {
    this.gossip = gossip;
    this.maxMessages = maxMessages;
    for (int i = 0; i < len; i++) {
      windows.addLast(new ArrayList<>());
      topicWindows.addLast(new HashMap<>());
    }
  }

  /** Caches a validated message; returns false when the cache is full or already holds it. */
  boolean put(MessageId id, Rpc.Message m) {
    if (messages.size() >= maxMessages || messages.containsKey(id)) {
      return false;
    }
    messages.put(id, new Entry(m, new HashMap<>()));
    windows.peekFirst().add(id);
    topicWindows.peekFirst().computeIfAbsent(m.topic(), t -> new LinkedHashSet<>()).add(id);
    return true;
  }

  boolean contains(MessageId id) {
    return messages.containsKey(id);
  }

  /**
   * The message for an IWANT from {@code peer}, or null when we do not have it or have already sent
   * it to that peer {@code maxServes} times (spam protection, gossipsub v1.1).
   */
  Rpc.Message getForPeer(MessageId id, PeerId peer, int maxServes) {
    Entry e = messages.get(id);
    if (e == null) {
      return null;
    }
    int n = e.served.merge(peer, 1, Integer::sum);
    return n > maxServes ? null : e.message;
  }

  /** Ids in the gossip windows for {@code topic}, newest first. */
  List<MessageId> gossipIds(String topic) {
    List<MessageId> out = new ArrayList<>();
    int i = 0;
    for (Map<String, Set<MessageId>> w : topicWindows) {
      if (i++ >= gossip) {
        break;
      }
      Set<MessageId> ids = w.get(topic);
      if (ids != null) {
        out.addAll(ids);
      }
    }
    return out;
  }

  /** Heartbeat: drops the oldest window and opens a new one. */
  void shift() {
    for (MessageId id : windows.pollLast()) {
      messages.remove(id);
    }
    topicWindows.pollLast();
    windows.addFirst(new ArrayList<>());
    topicWindows.addFirst(new HashMap<>());
  }

  int size() {
    return messages.size();
  }
}
