package dev.cairn.p2p.kad;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.kad.KadMessage.Type;
import dev.cairn.p2p.kad.KadMessage.ValueRecord;
import dev.cairn.p2p.kad.pb.KadProtos;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes ⇄ {@link KadMessage}: a uvarint length prefix, then the spec's {@code Message} protobuf.
 * Pure: no I/O state. The generated classes stay in here.
 *
 * <p>Limits, each checked before allocating: a message of at most {@link #MAX_MESSAGE_BYTES}
 * (larger: TOO_LARGE), a key of at most {@link #MAX_KEY_BYTES} (larger: TOO_LARGE). Peer lists are
 * trimmed, not rejected: only the first {@code maxPeers} peers of each list are parsed at all, at
 * most {@link #MAX_ADDRESSES_PER_PEER} addresses per peer are kept, and a peer whose id does not
 * decode or an address that does not parse (unknown protocol, garbage) is dropped. js and go list
 * addresses we cannot dial (QUIC, WebRTC, circuits) as a matter of course, so dropping them is not
 * a fault; {@link KadMessage#dropped()} and {@link KadMessage#overflow()} count what was left out.
 */
final class KadCodec {
  /**
   * go allows 4 MiB and Nabu 1 MiB; a FIND_NODE answer with 20 peers is a few KiB, so 1 MiB leaves
   * ample room for peers with many addresses.
   */
  static final int MAX_MESSAGE_BYTES = 1 << 20;

  /** Peer ids, multihashes and {@code /pk/..}, {@code /ipns/..} keys all fit. */
  static final int MAX_KEY_BYTES = 512;

  /** The peer store keeps no more per peer either. */
  static final int MAX_ADDRESSES_PER_PEER = 16;

  private KadCodec() {}

  static byte[] encode(KadMessage m) {
    KadProtos.Message.Builder b =
        KadProtos.Message.newBuilder()
            .setTypeValue(m.type().number)
            .setKey(ByteString.copyFrom(m.key()));
    if (m.record() != null) {
      b.setRecord(
          KadProtos.Record.newBuilder()
              .setKey(ByteString.copyFrom(m.record().key()))
              .setValue(ByteString.copyFrom(m.record().value()))
              .setTimeReceived(m.record().timeReceived()));
    }
    for (KadPeer p : m.closerPeers()) {
      b.addCloserPeers(peer(p));
    }
    for (KadPeer p : m.providerPeers()) {
      b.addProviderPeers(peer(p));
    }
    return b.build().toByteArray();
  }

  private static KadProtos.Message.Peer peer(KadPeer p) {
    KadProtos.Message.Peer.Builder b =
        KadProtos.Message.Peer.newBuilder().setId(ByteString.copyFrom(p.id().bytes()));
    for (Multiaddr a : p.addresses()) {
      b.addAddrs(ByteString.copyFrom(a.encode()));
    }
    return b.build();
  }

  /** Writes one length-prefixed message and flushes. */
  static void write(OutputStream out, KadMessage m) throws IOException {
    byte[] body = encode(m);
    Varint.write(body.length, out);
    out.write(body);
    out.flush();
  }

  /** Reads one length-prefixed message; null at a clean end of stream before its first byte. */
  static KadMessage read(InputStream in, int maxPeers) throws IOException, ProtocolException {
    int n = Varint.readLength(in, MAX_MESSAGE_BYTES, Scope.STREAM);
    if (n < 0) {
      return null;
    }
    byte[] body = in.readNBytes(n);
    if (body.length < n) {
      throw ProtocolException.stream(Reason.TRUNCATED, "kad message cut short");
    }
    return decode(body, maxPeers);
  }

  /**
   * Decodes a message body. Reads field by field rather than parsing the whole protobuf, so that a
   * list of thousands of peers costs no more than the first {@code maxPeers}.
   */
  static KadMessage decode(byte[] body, int maxPeers) throws ProtocolException {
    if (body.length > MAX_MESSAGE_BYTES) {
      throw ProtocolException.stream(Reason.TOO_LARGE, "kad message of " + body.length + " bytes");
    }
    CodedInputStream in = CodedInputStream.newInstance(body);
    int typeNumber = 0; // proto3: absent means PUT_VALUE
    byte[] key = new byte[0];
    ValueRecord record = null;
    List<KadPeer> closer = new ArrayList<>();
    List<KadPeer> providers = new ArrayList<>();
    int[] dropped = {0};
    int overflow = 0;
    try {
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        switch (field) {
          case 1 -> {
            expect(wire, WireFormat.WIRETYPE_VARINT, "type");
            typeNumber = in.readEnum();
          }
          case 2 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED, "key");
            int len = in.readRawVarint32();
            if (len < 0 || len > MAX_KEY_BYTES) {
              throw ProtocolException.stream(Reason.TOO_LARGE, "kad key of " + len + " bytes");
            }
            key = in.readRawBytes(len);
          }
          case 3 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED, "record");
            KadProtos.Record r = KadProtos.Record.parseFrom(in.readBytes());
            record =
                new ValueRecord(
                    r.getKey().toByteArray(), r.getValue().toByteArray(), r.getTimeReceived());
          }
          case 8, 9 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED, "peer");
            List<KadPeer> list = field == 8 ? closer : providers;
            if (list.size() >= maxPeers) {
              in.skipField(tag); // trimmed: not parsed at all
              overflow++;
            } else {
              KadPeer p = peer(in.readBytes(), dropped);
              if (p != null) {
                list.add(p);
              }
            }
          }
          default -> in.skipField(tag); // clusterLevelRaw (10) and fields from the future
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new ProtocolException(Reason.MALFORMED, Scope.STREAM, "kad message: " + e.getMessage());
    } catch (IOException e) {
      throw new ProtocolException(Reason.MALFORMED, Scope.STREAM, "kad message: " + e.getMessage());
    }
    Type type = Type.ofNumber(typeNumber);
    if (type == null) {
      throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "kad message type " + typeNumber);
    }
    return new KadMessage(type, key, record, closer, providers, dropped[0], overflow);
  }

  private static void expect(int wire, int expected, String what) throws ProtocolException {
    if (wire != expected) {
      throw ProtocolException.stream(Reason.MALFORMED, "kad " + what + " has wire type " + wire);
    }
  }

  /** A peer, or null (counted as dropped) when its id does not decode. */
  private static KadPeer peer(ByteString bytes, int[] dropped)
      throws InvalidProtocolBufferException {
    KadProtos.Message.Peer p = KadProtos.Message.Peer.parseFrom(bytes);
    PeerId id;
    try {
      id = PeerId.decode(p.getId().toByteArray());
    } catch (ProtocolException e) {
      dropped[0]++;
      return null;
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString a : p.getAddrsList()) {
      if (addrs.size() >= MAX_ADDRESSES_PER_PEER) {
        dropped[0]++;
        break;
      }
      try {
        addrs.add(Multiaddr.decode(a.toByteArray()).withoutPeerId());
      } catch (ProtocolException e) {
        dropped[0]++;
      }
    }
    return new KadPeer(id, addrs);
  }
}
