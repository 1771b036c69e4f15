package dev.cairn.p2p.gossip;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.gossip.pb.GossipProtos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Pubsub RPCs ⇄ protobuf bytes. Pure and stateless. Every count and size is checked against {@link
 * Limits}; a violation is a stream-scoped {@link ProtocolException} (the framing is intact, so the
 * reader may go on with the next RPC).
 */
final class GossipCodec {

  /** Prefix of the bytes a pubsub message signature covers (pubsub spec, "Message Signing"). */
  static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

  /**
   * Structural bounds on one decoded RPC. Rates (per heartbeat) are the router's business; these
   * only keep one RPC's memory proportional to its size and reject absurd shapes.
   *
   * @param maxRpcBytes the length prefix limit (the whole RPC)
   * @param maxMessages publish entries per RPC
   * @param maxSubscriptions SubOpts per RPC
   * @param maxControl entries in each control list (IHAVE, IWANT, GRAFT, PRUNE) per RPC
   * @param maxIds message ids summed over all IHAVE and, separately, all IWANT and all IDONTWANT
   *     entries of an RPC
   * @param maxPeerExchange PX entries per PRUNE
   * @param maxTopicLength bytes of a topic name
   */
  record Limits(
      int maxRpcBytes,
      int maxMessages,
      int maxSubscriptions,
      int maxControl,
      int maxIds,
      int maxPeerExchange,
      int maxTopicLength) {
    static Limits of(GossipConfig c) {
      return new Limits(c.maxRpcBytes(), 1024, 1024, 1024, 10_000, 64, 1024);
    }
  }

  /**
   * Bytes of the buffer each inbound pubsub stream's RPCs are read into, reused ({@link #decode}
   * copies out what it keeps); a larger RPC gets an array of its own, so no peer makes us keep one.
   */
  static final int READ_BUFFER = 4 * 1024;

  private GossipCodec() {}

  static byte[] encode(Rpc rpc) {
    return proto(rpc).toByteArray();
  }

  /** The RPC as its protobuf message (to be written straight into a caller's buffer). */
  static GossipProtos.RPC proto(Rpc rpc) {
    GossipProtos.RPC.Builder b = GossipProtos.RPC.newBuilder();
    for (Rpc.SubOpts s : rpc.subscriptions()) {
      b.addSubscriptions(
          GossipProtos.RPC.SubOpts.newBuilder().setSubscribe(s.subscribe()).setTopicid(s.topic()));
    }
    for (Rpc.Message m : rpc.messages()) {
      b.addPublish(toProto(m, true));
    }
    Rpc.Control c = rpc.control();
    if (!c.isEmpty()) {
      GossipProtos.ControlMessage.Builder cb = GossipProtos.ControlMessage.newBuilder();
      for (Rpc.IHave h : c.ihave()) {
        GossipProtos.ControlIHave.Builder hb =
            GossipProtos.ControlIHave.newBuilder().setTopicID(h.topic());
        h.ids().forEach(id -> hb.addMessageIDs(UnsafeByteOperations.unsafeWrap(id.unsafeBytes())));
        cb.addIhave(hb);
      }
      for (Rpc.IWant w : c.iwant()) {
        GossipProtos.ControlIWant.Builder wb = GossipProtos.ControlIWant.newBuilder();
        w.ids().forEach(id -> wb.addMessageIDs(UnsafeByteOperations.unsafeWrap(id.unsafeBytes())));
        cb.addIwant(wb);
      }
      for (Rpc.Graft g : c.graft()) {
        cb.addGraft(GossipProtos.ControlGraft.newBuilder().setTopicID(g.topic()));
      }
      for (Rpc.Prune p : c.prune()) {
        GossipProtos.ControlPrune.Builder pb =
            GossipProtos.ControlPrune.newBuilder().setTopicID(p.topic());
        for (Rpc.PeerExchange px : p.peers()) {
          GossipProtos.PeerInfo.Builder ib =
              GossipProtos.PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(px.peerId()));
          if (px.signedPeerRecord() != null) {
            ib.setSignedPeerRecord(ByteString.copyFrom(px.signedPeerRecord()));
          }
          pb.addPeers(ib);
        }
        if (p.backoffSeconds() != null) {
          pb.setBackoff(p.backoffSeconds());
        }
        cb.addPrune(pb);
      }
      for (Rpc.IDontWant d : c.idontwant()) {
        GossipProtos.ControlIDontWant.Builder db = GossipProtos.ControlIDontWant.newBuilder();
        d.ids().forEach(id -> db.addMessageIDs(UnsafeByteOperations.unsafeWrap(id.unsafeBytes())));
        cb.addIdontwant(db);
      }
      b.setControl(cb);
    }
    return b.build();
  }

  /**
   * The bytes a message signature covers: the prefix, then the message's fields 1–4 as present, in
   * ascending field order (what go and js re-encode to verify).
   */
  static byte[] signable(Rpc.Message m) {
    byte[] body = toProto(m, false).toByteArray();
    byte[] out = new byte[SIGN_PREFIX.length + body.length];
    System.arraycopy(SIGN_PREFIX, 0, out, 0, SIGN_PREFIX.length);
    System.arraycopy(body, 0, out, SIGN_PREFIX.length, body.length);
    return out;
  }

  private static GossipProtos.Message toProto(Rpc.Message m, boolean withSignature) {
    GossipProtos.Message.Builder b = GossipProtos.Message.newBuilder();
    if (m.from() != null) {
      b.setFrom(UnsafeByteOperations.unsafeWrap(m.from()));
    }
    if (m.data() != null) {
      b.setData(UnsafeByteOperations.unsafeWrap(m.data()));
    }
    if (m.seqno() != null) {
      b.setSeqno(UnsafeByteOperations.unsafeWrap(m.seqno()));
    }
    b.setTopic(m.topic());
    if (withSignature) {
      if (m.signature() != null) {
        b.setSignature(UnsafeByteOperations.unsafeWrap(m.signature()));
      }
      if (m.key() != null) {
        b.setKey(UnsafeByteOperations.unsafeWrap(m.key()));
      }
    }
    return b.build();
  }

  static Rpc decode(byte[] bytes, Limits limits) throws ProtocolException {
    return decode(bytes, bytes.length, limits);
  }

  /**
   * Decodes the first {@code length} bytes of {@code bytes}. Nothing decoded refers to {@code
   * bytes}: the caller may reuse it for the next RPC.
   */
  static Rpc decode(byte[] bytes, int length, Limits limits) throws ProtocolException {
    if (length > limits.maxRpcBytes()) {
      throw ProtocolException.stream(Reason.TOO_LARGE, "RPC of " + length + " bytes");
    }
    GossipProtos.RPC p;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, 0, length);
      in.setRecursionLimit(8);
      // Bytes fields are views of `bytes` (not copied a second time): each is copied out once
      // below, so `bytes` is neither kept nor changed.
      in.enableAliasing(true);
      p = GossipProtos.RPC.parseFrom(in);
    } catch (IOException e) { // InvalidProtocolBufferException; nothing else on a byte array
      throw new ProtocolException(Reason.MALFORMED, Scope.STREAM, "bad pubsub RPC protobuf", e);
    }
    check(p.getSubscriptionsCount(), limits.maxSubscriptions(), "subscriptions");
    check(p.getPublishCount(), limits.maxMessages(), "messages");
    List<Rpc.SubOpts> subs = new ArrayList<>(p.getSubscriptionsCount());
    for (GossipProtos.RPC.SubOpts s : p.getSubscriptionsList()) {
      if (!s.hasTopicid()) {
        throw ProtocolException.stream(Reason.MALFORMED, "subscription without a topic");
      }
      subs.add(new Rpc.SubOpts(s.getSubscribe(), topic(s.getTopicidBytes(), limits)));
    }
    List<Rpc.Message> messages = new ArrayList<>(p.getPublishCount());
    for (GossipProtos.Message m : p.getPublishList()) {
      if (!m.hasTopic()) {
        throw ProtocolException.stream(Reason.MALFORMED, "message without a topic");
      }
      messages.add(
          new Rpc.Message(
              m.hasFrom() ? m.getFrom().toByteArray() : null,
              m.hasData() ? m.getData().toByteArray() : null,
              m.hasSeqno() ? m.getSeqno().toByteArray() : null,
              topic(m.getTopicBytes(), limits),
              m.hasSignature() ? m.getSignature().toByteArray() : null,
              m.hasKey() ? m.getKey().toByteArray() : null));
    }
    Rpc.Control control = Rpc.Control.EMPTY;
    if (p.hasControl()) {
      control = decodeControl(p.getControl(), limits);
    }
    return new Rpc(subs, messages, control);
  }

  private static Rpc.Control decodeControl(GossipProtos.ControlMessage c, Limits limits)
      throws ProtocolException {
    check(c.getIhaveCount(), limits.maxControl(), "IHAVE entries");
    check(c.getIwantCount(), limits.maxControl(), "IWANT entries");
    check(c.getGraftCount(), limits.maxControl(), "GRAFT entries");
    check(c.getPruneCount(), limits.maxControl(), "PRUNE entries");
    check(c.getIdontwantCount(), limits.maxControl(), "IDONTWANT entries");
    List<Rpc.IHave> ihave =
        withIds(
            c.getIhaveList(),
            GossipProtos.ControlIHave::getMessageIDsCount,
            limits,
            "IHAVE ids",
            h -> new Rpc.IHave(topic(h.getTopicIDBytes(), limits), ids(h.getMessageIDsList())));
    List<Rpc.IWant> iwant =
        withIds(
            c.getIwantList(),
            GossipProtos.ControlIWant::getMessageIDsCount,
            limits,
            "IWANT ids",
            w -> new Rpc.IWant(ids(w.getMessageIDsList())));
    List<Rpc.Graft> graft = new ArrayList<>(c.getGraftCount());
    for (GossipProtos.ControlGraft g : c.getGraftList()) {
      graft.add(new Rpc.Graft(topic(g.getTopicIDBytes(), limits)));
    }
    List<Rpc.Prune> prune = new ArrayList<>(c.getPruneCount());
    for (GossipProtos.ControlPrune pr : c.getPruneList()) {
      check(pr.getPeersCount(), limits.maxPeerExchange(), "PX peers");
      List<Rpc.PeerExchange> px = new ArrayList<>(pr.getPeersCount());
      for (GossipProtos.PeerInfo i : pr.getPeersList()) {
        px.add(
            new Rpc.PeerExchange(
                i.getPeerID().toByteArray(),
                i.hasSignedPeerRecord() ? i.getSignedPeerRecord().toByteArray() : null));
      }
      prune.add(
          new Rpc.Prune(
              topic(pr.getTopicIDBytes(), limits), px, pr.hasBackoff() ? pr.getBackoff() : null));
    }
    List<Rpc.IDontWant> idontwant =
        withIds(
            c.getIdontwantList(),
            GossipProtos.ControlIDontWant::getMessageIDsCount,
            limits,
            "IDONTWANT ids",
            d -> new Rpc.IDontWant(ids(d.getMessageIDsList())));
    return new Rpc.Control(ihave, iwant, graft, prune, idontwant);
  }

  /** Decodes one control entry; may throw on hostile input. */
  private interface EntryDecoder<P, R> {
    R decode(P entry) throws ProtocolException;
  }

  /**
   * Decodes one list of id-carrying control entries (IHAVE, IWANT, IDONTWANT): the ids summed over
   * the list are checked against {@code limits.maxIds()} before each entry is decoded.
   */
  private static <P, R> List<R> withIds(
      List<P> entries,
      ToIntFunction<P> idCount,
      Limits limits,
      String what,
      EntryDecoder<P, R> decoder)
      throws ProtocolException {
    int total = 0;
    List<R> out = new ArrayList<>(entries.size());
    for (P entry : entries) {
      total += idCount.applyAsInt(entry);
      check(total, limits.maxIds(), what);
      out.add(decoder.decode(entry));
    }
    return out;
  }

  private static List<MessageId> ids(List<ByteString> raw) throws ProtocolException {
    List<MessageId> out = new ArrayList<>(raw.size());
    for (ByteString b : raw) {
      if (b.isEmpty() || b.size() > MessageId.MAX_BYTES) {
        throw ProtocolException.stream(Reason.MALFORMED, "message id of " + b.size() + " bytes");
      }
      out.add(new MessageId(b.toByteArray()));
    }
    return out;
  }

  private static String topic(ByteString raw, Limits limits) throws ProtocolException {
    if (raw.size() > limits.maxTopicLength()) {
      throw ProtocolException.stream(Reason.TOO_LARGE, "topic of " + raw.size() + " bytes");
    }
    if (!raw.isValidUtf8()) {
      throw ProtocolException.stream(Reason.MALFORMED, "topic is not UTF-8");
    }
    return raw.toStringUtf8();
  }

  private static void check(int count, int max, String what) throws ProtocolException {
    if (count > max) {
      throw ProtocolException.stream(
          Reason.LIMIT_EXCEEDED, count + " " + what + " in one RPC (limit " + max + ")");
    }
  }
}
