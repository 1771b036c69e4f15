package dev.cairn.p2p.gossip;

import java.util.List;

/**
 * One pubsub RPC as our code sees it (the wire form is {@code proto/gossipsub.proto}; only {@link
 * GossipCodec} touches the generated classes). Byte arrays are never modified once a record holds
 * them. Absent optional fields are {@code null}.
 */
record Rpc(List<SubOpts> subscriptions, List<Message> messages, Control control) {

  static final Rpc EMPTY = new Rpc(List.of(), List.of(), Control.EMPTY);

  Rpc {
    subscriptions = List.copyOf(subscriptions);
    messages = List.copyOf(messages);
    control = control == null ? Control.EMPTY : control;
  }

  static Rpc ofMessage(Message m) {
    return new Rpc(List.of(), List.of(m), Control.EMPTY);
  }

  boolean isEmpty() {
    return subscriptions.isEmpty() && messages.isEmpty() && control.isEmpty();
  }

  /** A subscription change: SubOpts. */
  record SubOpts(boolean subscribe, String topic) {}

  /**
   * A pubsub message as sent on the wire. {@code from}, {@code seqno}, {@code signature} and {@code
   * key} are null under StrictNoSign.
   */
  record Message(
      byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
    int size() {
      return len(from) + len(data) + len(seqno) + topic.length() + len(signature) + len(key);
    }

    private static int len(byte[] b) {
      return b == null ? 0 : b.length;
    }
  }

  /** The control part; empty lists when absent. */
  record Control(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune) {
    static final Control EMPTY = new Control(List.of(), List.of(), List.of(), List.of());

    Control {
      ihave = List.copyOf(ihave);
      iwant = List.copyOf(iwant);
      graft = List.copyOf(graft);
      prune = List.copyOf(prune);
    }

    boolean isEmpty() {
      return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty();
    }
  }

  record IHave(String topic, List<MessageId> ids) {}

  record IWant(List<MessageId> ids) {}

  record Graft(String topic) {}

  /** PRUNE; {@code backoffSeconds} is null when absent (v1.0 peers). */
  record Prune(String topic, List<PeerExchange> peers, Long backoffSeconds) {}

  /** A PX entry: a peer id and optionally its signed peer record (an envelope). */
  record PeerExchange(byte[] peerId, byte[] signedPeerRecord) {}
}
