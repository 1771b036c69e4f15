package dev.cairn.p2p.kad;

import java.util.List;

/**
 * One kad-dht RPC message, request or response (the spec uses the same message for both).
 *
 * @param key FIND_NODE: the target peer id bytes; otherwise an opaque key; empty when absent
 * @param record a value record (GET/PUT_VALUE) or null
 * @param dropped peers (bad id) and addresses (unparseable, beyond the per-peer cap) the decoder
 *     discarded; zero for messages we build
 * @param overflow peers beyond the per-list limit, skipped unparsed; zero for messages we build
 */
record KadMessage(
    Type type,
    byte[] key,
    ValueRecord record,
    List<KadPeer> closerPeers,
    List<KadPeer> providerPeers,
    int dropped,
    int overflow) {

  /** The spec's MessageType, with its wire numbers. */
  enum Type {
    PUT_VALUE(0),
    GET_VALUE(1),
    ADD_PROVIDER(2),
    GET_PROVIDERS(3),
    FIND_NODE(4),
    PING(5);

    final int number;

    Type(int number) {
      this.number = number;
    }

    static Type ofNumber(int n) {
      for (Type t : values()) {
        if (t.number == n) {
          return t;
        }
      }
      return null;
    }
  }

  /** Record: key = 1, value = 2, timeReceived = 5 (RFC 3339, set by the receiver). */
  record ValueRecord(byte[] key, byte[] value, String timeReceived) {}

  KadMessage {
    closerPeers = List.copyOf(closerPeers);
    providerPeers = List.copyOf(providerPeers);
  }

  static KadMessage findNode(byte[] key) {
    return new KadMessage(Type.FIND_NODE, key, null, List.of(), List.of(), 0, 0);
  }

  static KadMessage reply(Type type, byte[] key, List<KadPeer> closer, List<KadPeer> providers) {
    return new KadMessage(type, key, null, closer, providers, 0, 0);
  }
}
