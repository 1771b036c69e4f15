package dev.cairn.p2p.record;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A peer record (libp2p RFC 0003): a peer's id, a sequence number and its listen addresses, carried
 * in a {@link SignedEnvelope} with domain {@value #DOMAIN} and payload type {@code 03 01}. Used by
 * identify ({@code signedPeerRecord}) and gossipsub peer exchange.
 *
 * <p>Wire form: {@code PeerRecord { bytes peer_id = 1; uint64 seq = 2; repeated AddressInfo
 * addresses = 3; }} with {@code AddressInfo { bytes multiaddr = 1; }}.
 *
 * <p>{@link #seq()} is a uint64 held in a {@code long}: compare with {@link Long#compareUnsigned}.
 * Addresses are binary multiaddrs, not yet parsed. Immutable.
 */
public final class PeerRecord {
  /** The envelope domain. (RFC 0003 still says {@code libp2p-routing-state}; nobody uses it.) */
  public static final String DOMAIN = "libp2p-peer-record";

  /**
   * The envelope payload type: the bytes {@code 03 01} that go-libp2p and js-libp2p use for the
   * multicodec {@code libp2p-peer-record} (0x0301). These are the code's big-endian bytes, not its
   * uvarint (which would be {@code 81 06}); we match the implementations.
   */
  private static final byte[] PAYLOAD_TYPE = {0x03, 0x01};

  /** Most addresses we accept in one record; honest peers send a handful. */
  public static final int MAX_ADDRESSES = 256;

  /** Longest binary multiaddr we accept. */
  public static final int MAX_ADDRESS_BYTES = 1024;

  /** Longest peer id (a sha2-256 or identity multihash is at most 44 bytes). */
  static final int MAX_PEER_ID_BYTES = 128;

  private final PeerId peerId;
  private final long seq;
  private final List<byte[]> addresses;

  private PeerRecord(PeerId peerId, long seq, List<byte[]> addresses) {
    this.peerId = peerId;
    this.seq = seq;
    this.addresses = addresses;
  }

  /**
   * A record of our own.
   *
   * @throws IllegalArgumentException if there are too many or too long addresses
   */
  public static PeerRecord of(PeerId peerId, long seq, List<byte[]> addresses) {
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException(addresses.size() + " addresses, limit " + MAX_ADDRESSES);
    }
    List<byte[]> copy = new ArrayList<>(addresses.size());
    for (byte[] a : addresses) {
      if (a.length > MAX_ADDRESS_BYTES) {
        throw new IllegalArgumentException("address of " + a.length + " bytes");
      }
      copy.add(a.clone());
    }
    return new PeerRecord(peerId, seq, List.copyOf(copy));
  }

  /**
   * Wraps this record in an envelope signed by {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is not the key of {@link #peerId()}
   */
  public SignedEnvelope sign(PrivateKey key) {
    if (!peerId.matches(key.publicKey())) {
      throw new IllegalArgumentException("key does not belong to peer " + peerId);
    }
    return SignedEnvelope.sign(key, DOMAIN, PAYLOAD_TYPE, encode());
  }

  /**
   * Decodes and verifies a signed peer record from a peer: the envelope signature for {@value
   * #DOMAIN}, the payload type, and that the envelope's key is the key of the record's peer id.
   *
   * @throws ProtocolException (stream scope) {@code BAD_SIGNATURE}, {@code PEER_ID_MISMATCH},
   *     {@code UNKNOWN_TYPE} (payload type), or a decoding reason
   */
  public static PeerRecord decode(byte[] envelopeBytes) throws ProtocolException {
    return fromEnvelope(SignedEnvelope.decode(envelopeBytes, DOMAIN));
  }

  /**
   * The record in an envelope already verified for {@value #DOMAIN}, checked like {@link #decode}.
   */
  public static PeerRecord fromEnvelope(SignedEnvelope envelope) throws ProtocolException {
    if (!envelope.hasPayloadType(PAYLOAD_TYPE)) {
      throw ProtocolException.stream(Reason.UNKNOWN_TYPE, "envelope does not hold a peer record");
    }
    PeerRecord record = decodePayload(envelope.payload());
    if (!record.peerId.matches(envelope.publicKey())) {
      throw ProtocolException.stream(
          Reason.PEER_ID_MISMATCH,
          "peer record for " + record.peerId + " signed by " + envelope.signer());
    }
    return record;
  }

  /** Parses the payload alone, without any signature check. */
  static PeerRecord decodePayload(byte[] payload) throws ProtocolException {
    Proto.Reader in = new Proto.Reader(payload);
    byte[] id = null;
    long seq = 0;
    List<byte[]> addresses = new ArrayList<>();
    while (in.hasMore()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> id = in.lenField(tag, MAX_PEER_ID_BYTES, "peer_id");
        case 2 -> {
          in.expect(tag, Proto.VARINT);
          seq = in.varint();
        }
        case 3 -> {
          in.expect(tag, Proto.LEN);
          if (addresses.size() == MAX_ADDRESSES) {
            throw ProtocolException.stream(
                Reason.TOO_LARGE, "peer record has more than " + MAX_ADDRESSES + " addresses");
          }
          addresses.add(decodeAddressInfo(in.bytes(MAX_ADDRESS_BYTES + 16, "address")));
        }
        default -> in.skip(tag);
      }
    }
    if (id == null) {
      throw ProtocolException.stream(Reason.MALFORMED, "peer record has no peer id");
    }
    return new PeerRecord(PeerId.decode(id), seq, List.copyOf(addresses));
  }

  private static byte[] decodeAddressInfo(byte[] info) throws ProtocolException {
    Proto.Reader in = new Proto.Reader(info);
    byte[] multiaddr = null;
    while (in.hasMore()) {
      int tag = in.tag();
      if (tag >>> 3 == 1) {
        multiaddr = in.lenField(tag, MAX_ADDRESS_BYTES, "multiaddr");
      } else {
        in.skip(tag);
      }
    }
    if (multiaddr == null || multiaddr.length == 0) {
      throw ProtocolException.stream(Reason.MALFORMED, "peer record address without multiaddr");
    }
    return multiaddr;
  }

  /** The payload protobuf (what goes inside the envelope). */
  public byte[] encode() {
    Proto.Writer out = new Proto.Writer().bytes(1, peerId.bytes()).uint64(2, seq);
    for (byte[] a : addresses) {
      out.bytes(3, new Proto.Writer().bytes(1, a).toByteArray());
    }
    return out.toByteArray();
  }

  public PeerId peerId() {
    return peerId;
  }

  /** The sequence number, a uint64: compare with {@link Long#compareUnsigned}. */
  public long seq() {
    return seq;
  }

  /** The binary multiaddrs, as copies. */
  public List<byte[]> addresses() {
    return addresses.stream().map(byte[]::clone).toList();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PeerRecord r) || !r.peerId.equals(peerId) || r.seq != seq) {
      return false;
    }
    if (r.addresses.size() != addresses.size()) {
      return false;
    }
    for (int i = 0; i < addresses.size(); i++) {
      if (!Arrays.equals(r.addresses.get(i), addresses.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return 31 * peerId.hashCode() + Long.hashCode(seq);
  }

  @Override
  public String toString() {
    return "PeerRecord[peer="
        + peerId
        + ", seq="
        + Long.toUnsignedString(seq)
        + ", addresses="
        + addresses.size()
        + "]";
  }
}
