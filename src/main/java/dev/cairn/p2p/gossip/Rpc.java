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

  static Rpc ofControl(Control c) {
    return new Rpc(List.of(), List.of(), c);
  }

  boolean isEmpty() {
    return subscriptions.isEmpty() && messages.isEmpty() && control.isEmpty();
  }

  /**
   * About the bytes this RPC takes on the wire (and at least what its arrays hold): what byte
   * bounds on queues count. Cheap (no encoding): lengths plus a few bytes of framing per entry.
   */
  long wireSize() {
    long n = 0;
    for (SubOpts s : subscriptions) {
      n += s.topic().length() + 4;
    }
    for (Message m : messages) {
      n += m.size() + 16;
    }
    return n + control.wireSize();
  }

  static long idsSize(List<MessageId> ids) {
    long n = 0;
    for (MessageId id : ids) {
      n += id.length() + 2;
    }
    return n;
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

  /** The control part; empty lists when absent. {@code idontwant} is gossipsub v1.2's. */
  record Control(
      List<IHave> ihave,
      List<IWant> iwant,
      List<Graft> graft,
      List<Prune> prune,
      List<IDontWant> idontwant) {
    static final Control EMPTY = new Control(List.of(), List.of(), List.of(), List.of());

    Control {
      ihave = List.copyOf(ihave);
      iwant = List.copyOf(iwant);
      graft = List.copyOf(graft);
      prune = List.copyOf(prune);
      idontwant = List.copyOf(idontwant);
    }

    /** A v1.1 control part (no IDONTWANT). */
    Control(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune) {
      this(ihave, iwant, graft, prune, List.of());
    }

    boolean isEmpty() {
      return ihave.isEmpty()
          && iwant.isEmpty()
          && graft.isEmpty()
          && prune.isEmpty()
          && idontwant.isEmpty();
    }

    long wireSize() {
      long n = 0;
      for (IHave h : ihave) {
        n += h.topic().length() + 4 + idsSize(h.ids());
      }
      for (IWant w : iwant) {
        n += 2 + idsSize(w.ids());
      }
      for (Graft g : graft) {
        n += g.topic().length() + 4;
      }
      for (Prune p : prune) {
        n += p.topic().length() + 16;
        for (PeerExchange x : p.peers()) {
          n +=
              x.peerId().length
                  + (x.signedPeerRecord() == null ? 0 : x.signedPeerRecord().length)
                  + 8;
        }
      }
      for (IDontWant d : idontwant) {
        n += 2 + idsSize(d.ids());
      }
      return n;
    }
  }

  record IHave(String topic, List<MessageId> ids) {}

  record IWant(List<MessageId> ids) {}

  /** Gossipsub v1.2: the sender already has (or is validating) these messages; do not send them. */
  record IDontWant(List<MessageId> ids) {}

  record Graft(String topic) {}

  /** PRUNE; {@code backoffSeconds} is null when absent (v1.0 peers). */
  record Prune(String topic, List<PeerExchange> peers, Long backoffSeconds) {}

  /** A PX entry: a peer id and optionally its signed peer record (an envelope). */
  record PeerExchange(byte[] peerId, byte[] signedPeerRecord) {}
}
