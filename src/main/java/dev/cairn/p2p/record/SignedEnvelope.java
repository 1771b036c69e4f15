package dev.cairn.p2p.record;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signed envelope (libp2p RFC 0002): a payload, its type hint, the signer's public key and a
 * signature over {@code uvarint-LP(domain) ‖ uvarint-LP(payload_type) ‖ uvarint-LP(payload)}. The
 * domain string is never sent; signer and verifier both supply it, so a signature made for one
 * purpose is worthless for another.
 *
 * <p>Wire form: {@code Envelope { PublicKey public_key = 1; bytes payload_type = 2; bytes payload =
 * 3; bytes signature = 5; }}. An instance has always been signed by us or verified: there is no way
 * to hold an unverified one. Immutable.
 */
public final class SignedEnvelope {
  /** Longest encoded envelope we decode. */
  public static final int MAX_ENVELOPE_BYTES = 16 * 1024;

  /** Longest payload we sign or accept. */
  public static final int MAX_PAYLOAD_BYTES = 8 * 1024;

  /** Longest payload type (a multicodec, perhaps with a short suffix). */
  public static final int MAX_PAYLOAD_TYPE_BYTES = 64;

  /** Longest domain string, in UTF-8 bytes. */
  public static final int MAX_DOMAIN_BYTES = 256;

  /** Longest public-key protobuf (RSA-8192 is about 1.1 KB). */
  static final int MAX_PUBLIC_KEY_BYTES = 2048;

  /** Longest signature (RSA-8192 signs with 1024 bytes). */
  static final int MAX_SIGNATURE_BYTES = 1024;

  private final PublicKey publicKey;
  private final byte[] payloadType;
  private final byte[] payload;
  private final byte[] signature;

  private SignedEnvelope(
      PublicKey publicKey, byte[] payloadType, byte[] payload, byte[] signature) {
    this.publicKey = publicKey;
    this.payloadType = payloadType;
    this.payload = payload;
    this.signature = signature;
  }

  /**
   * Signs {@code payload} for {@code domain}.
   *
   * @throws IllegalArgumentException if the domain, payload type or payload exceed their limits
   */
  public static SignedEnvelope sign(
      PrivateKey key, String domain, byte[] payloadType, byte[] payload) {
    if (payloadType.length > MAX_PAYLOAD_TYPE_BYTES) {
      throw new IllegalArgumentException("payload type of " + payloadType.length + " bytes");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload of " + payload.length + " bytes");
    }
    byte[] type = payloadType.clone();
    byte[] body = payload.clone();
    byte[] signature = key.sign(signedBytes(domain, type, body));
    return new SignedEnvelope(key.publicKey(), type, body, signature);
  }

  /**
   * Decodes an envelope from a peer and verifies its signature for {@code expectedDomain}.
   *
   * @throws ProtocolException (stream scope) {@code BAD_SIGNATURE} if the signature does not verify
   *     for this domain; {@code TOO_LARGE}, {@code TRUNCATED}, {@code MALFORMED} or {@code
   *     UNKNOWN_TYPE} if the bytes or the key are bad
   */
  public static SignedEnvelope decode(byte[] bytes, String expectedDomain)
      throws ProtocolException {
    byte[] domain = domainBytes(expectedDomain);
    if (bytes.length > MAX_ENVELOPE_BYTES) {
      throw ProtocolException.stream(
          Reason.TOO_LARGE, "envelope of " + bytes.length + " bytes, limit " + MAX_ENVELOPE_BYTES);
    }
    byte[] keyBytes = null;
    byte[] payloadType = new byte[0];
    byte[] payload = new byte[0];
    byte[] signature = new byte[0];
    Proto.Reader in = new Proto.Reader(bytes);
    while (in.hasMore()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> keyBytes = in.lenField(tag, MAX_PUBLIC_KEY_BYTES, "public_key");
        case 2 -> payloadType = in.lenField(tag, MAX_PAYLOAD_TYPE_BYTES, "payload_type");
        case 3 -> payload = in.lenField(tag, MAX_PAYLOAD_BYTES, "payload");
        case 5 -> signature = in.lenField(tag, MAX_SIGNATURE_BYTES, "signature");
        default -> in.skip(tag);
      }
    }
    if (keyBytes == null) {
      throw ProtocolException.stream(Reason.MALFORMED, "envelope has no public key");
    }
    PublicKey key = PublicKey.decode(keyBytes);
    if (!key.verify(signedBytes(domain, payloadType, payload), signature)) {
      throw ProtocolException.stream(
          Reason.BAD_SIGNATURE, "envelope signature does not verify for domain " + expectedDomain);
    }
    return new SignedEnvelope(key, payloadType, payload, signature);
  }

  /** The protobuf encoding. */
  public byte[] encode() {
    return new Proto.Writer()
        .bytes(1, publicKey.encode())
        .bytes(2, payloadType)
        .bytes(3, payload)
        .bytes(5, signature)
        .toByteArray();
  }

  /** The signer's key, which has verified {@link #signature()}. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The signer's peer id, derived from {@link #publicKey()}. */
  public PeerId signer() {
    return PeerId.fromPublicKey(publicKey);
  }

  public byte[] payloadType() {
    return payloadType.clone();
  }

  public byte[] payload() {
    return payload.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** True when the payload type is exactly {@code expected}. */
  public boolean hasPayloadType(byte[] expected) {
    return Arrays.equals(payloadType, expected);
  }

  static byte[] signedBytes(String domain, byte[] payloadType, byte[] payload) {
    return signedBytes(domainBytes(domain), payloadType, payload);
  }

  private static byte[] signedBytes(byte[] domain, byte[] payloadType, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : new byte[][] {domain, payloadType, payload}) {
      out.writeBytes(Varint.encode(part.length));
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] domainBytes(String domain) {
    byte[] bytes = domain.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0 || bytes.length > MAX_DOMAIN_BYTES) {
      throw new IllegalArgumentException("domain must be 1 to " + MAX_DOMAIN_BYTES + " bytes");
    }
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedEnvelope e
        && e.publicKey.equals(publicKey)
        && Arrays.equals(e.payloadType, payloadType)
        && Arrays.equals(e.payload, payload)
        && Arrays.equals(e.signature, signature);
  }

  @Override
  public int hashCode() {
    return 31 * publicKey.hashCode() + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "SignedEnvelope[signer="
        + signer()
        + ", type="
        + HexFormat.of().formatHex(payloadType)
        + ", payload="
        + payload.length
        + " bytes]";
  }
}
