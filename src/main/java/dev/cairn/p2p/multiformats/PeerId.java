package dev.cairn.p2p.multiformats;

import dev.cairn.p2p.ByteValue;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.PublicKey;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p peer id: the multihash of the peer's public-key protobuf. Keys of at most 42 bytes
 * (Ed25519, secp256k1) are inlined with the identity hash, so their public key can be read back;
 * longer keys are hashed with SHA-256. Immutable.
 */
public final class PeerId extends ByteValue implements Comparable<PeerId> {
  /** Keys whose protobuf is at most this long are inlined (identity multihash). */
  public static final int MAX_INLINE_KEY = 42;

  /** The multicodec of CIDv1 peer ids ({@code libp2p-key}). */
  private static final int LIBP2P_KEY_CODEC = 0x72;

  private final Multihash multihash;
  private final String base58;

  private PeerId(byte[] bytes, Multihash multihash) {
    super(bytes);
    this.multihash = multihash;
    this.base58 = Base58.encode(bytes);
  }

  public static PeerId fromPublicKey(PublicKey key) {
    byte[] protobuf = key.encode();
    Multihash mh =
        protobuf.length <= MAX_INLINE_KEY
            ? Multihash.identity(protobuf)
            : Multihash.sha256(protobuf);
    return new PeerId(mh.encode(), mh);
  }

  /** Decodes peer id bytes (a multihash) received from a peer. */
  public static PeerId decode(byte[] bytes) throws ProtocolException {
    Multihash mh = Multihash.decode(bytes);
    if (mh.code() == Multihash.IDENTITY) {
      byte[] digest = mh.digest();
      if (digest.length > MAX_INLINE_KEY) {
        throw ProtocolException.stream(Reason.MALFORMED, "inlined key longer than 42 bytes");
      }
      PublicKey.decode(digest); // an identity peer id must hold a key we understand
    }
    return new PeerId(bytes.clone(), mh);
  }

  /**
   * Parses the legacy base58 form ({@code 12D3KooW...}, {@code Qm...}) or a CIDv1 in base32 ({@code
   * b...}) or base58 ({@code z...}) with the libp2p-key codec.
   *
   * @throws IllegalArgumentException if the text is not a peer id
   */
  public static PeerId parse(String text) {
    try {
      if (text.startsWith("1") || text.startsWith("Qm")) {
        return decode(Base58.decode(text));
      }
      byte[] cid;
      if (text.startsWith("b")) {
        cid = Base32.decode(text.substring(1));
      } else if (text.startsWith("z")) {
        cid = Base58.decode(text.substring(1));
      } else {
        throw new IllegalArgumentException("not a peer id: " + text);
      }
      if (cid.length < 3 || cid[0] != 0x01 || cid[1] != LIBP2P_KEY_CODEC) {
        throw new IllegalArgumentException("not a libp2p-key CIDv1: " + text);
      }
      return decode(Arrays.copyOfRange(cid, 2, cid.length));
    } catch (ProtocolException e) {
      throw new IllegalArgumentException("not a peer id: " + text + " (" + e.getMessage() + ")", e);
    }
  }

  /** The multihash bytes, as carried in multiaddrs and protocol messages. */
  public byte[] bytes() {
    return content().clone();
  }

  public Multihash multihash() {
    return multihash;
  }

  /** The public key inlined in an identity peer id; empty for hashed (RSA, ECDSA) ids. */
  public Optional<PublicKey> publicKey() {
    if (multihash.code() != Multihash.IDENTITY) {
      return Optional.empty();
    }
    try {
      return Optional.of(PublicKey.decode(multihash.digest()));
    } catch (ProtocolException e) {
      throw new IllegalStateException("validated at construction", e);
    }
  }

  /** True when this id is the id of {@code key}. */
  public boolean matches(PublicKey key) {
    return equals(fromPublicKey(key));
  }

  public String toBase58() {
    return base58;
  }

  /** The CIDv1 text form in base32, e.g. {@code bafz...}. */
  public String toCid() {
    ByteArrayOutputStream cid = new ByteArrayOutputStream();
    cid.write(0x01);
    cid.write(LIBP2P_KEY_CODEC);
    cid.writeBytes(content());
    return "b" + Base32.encode(cid.toByteArray());
  }

  /** The last six characters, for log lines. */
  public String shortString() {
    return base58.substring(Math.max(0, base58.length() - 6));
  }

  @Override
  public String toString() {
    return base58;
  }

  @Override
  public int compareTo(PeerId o) {
    return Arrays.compareUnsigned(content(), o.content());
  }
}
