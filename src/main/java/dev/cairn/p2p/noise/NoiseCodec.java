package dev.cairn.p2p.noise;

import com.google.protobuf.ByteString;
import dev.cairn.p2p.Protobuf;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.noise.pb.NoisePb;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Bytes ⇄ records for libp2p Noise: the {@code NoiseHandshakePayload} protobuf and the 2-byte
 * big-endian message framing. No state; the generated protobuf classes stay in here.
 */
final class NoiseCodec {
  /** A Noise message, handshake or transport, is at most 65535 bytes (framework §3). */
  static final int MAX_MESSAGE = 65535;

  /** The most plaintext one transport message carries: 65535 minus the 16-byte tag. */
  static final int MAX_PLAINTEXT = MAX_MESSAGE - CipherState.TAG_LEN;

  /** At most this many stream muxers in a peer's list (go and js send one or two). */
  static final int MAX_MUXERS = 32;

  /** Longest muxer protocol id we accept (multistream-select's line limit is about as long). */
  static final int MAX_MUXER_ID = 1024;

  private NoiseCodec() {}

  /**
   * The libp2p handshake payload. {@code streamMuxers} is empty when the sender did not offer
   * inlined muxer negotiation (an empty repeated field cannot be told apart from an absent one).
   */
  record HandshakePayload(byte[] identityKey, byte[] identitySig, List<String> streamMuxers) {
    HandshakePayload {
      streamMuxers = List.copyOf(streamMuxers);
    }
  }

  static byte[] encodePayload(HandshakePayload payload) {
    NoisePb.NoiseHandshakePayload.Builder b =
        NoisePb.NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(payload.identityKey()))
            .setIdentitySig(ByteString.copyFrom(payload.identitySig()));
    if (!payload.streamMuxers().isEmpty()) {
      b.setExtensions(
          NoisePb.NoiseExtensions.newBuilder().addAllStreamMuxers(payload.streamMuxers()));
    }
    return b.build().toByteArray();
  }

  /**
   * Decodes a peer's payload. Unknown fields are ignored (jvm-libp2p sends the legacy field 3
   * empty); missing identity fields are {@link Reason#MALFORMED}.
   */
  static HandshakePayload decodePayload(byte[] bytes) throws ProtocolException {
    NoisePb.NoiseHandshakePayload pb =
        Protobuf.parse(
            bytes,
            MAX_MESSAGE,
            ProtocolException.Scope.CONNECTION,
            "noise: handshake payload",
            NoisePb.NoiseHandshakePayload::parseFrom);
    if (pb.getIdentityKey().isEmpty() || pb.getIdentitySig().isEmpty()) {
      throw ProtocolException.connection(
          Reason.MALFORMED, "noise: handshake payload lacks identity_key or identity_sig");
    }
    List<String> muxers = pb.getExtensions().getStreamMuxersList();
    if (muxers.size() > MAX_MUXERS) {
      throw ProtocolException.connection(
          Reason.TOO_LARGE, "noise: peer offers " + muxers.size() + " stream muxers");
    }
    for (String muxer : muxers) {
      if (muxer.isEmpty() || muxer.length() > MAX_MUXER_ID) {
        throw ProtocolException.connection(
            Reason.MALFORMED, "noise: stream muxer id of " + muxer.length() + " chars");
      }
    }
    return new HandshakePayload(
        pb.getIdentityKey().toByteArray(), pb.getIdentitySig().toByteArray(), muxers);
  }

  /** Writes one framed message: 2-byte big-endian length, then the bytes. Does not flush. */
  static void writeFrame(OutputStream out, byte[] message) throws IOException {
    if (message.length > MAX_MESSAGE) {
      throw new IllegalArgumentException("noise message of " + message.length + " bytes");
    }
    byte[] frame = new byte[2 + message.length];
    frame[0] = (byte) (message.length >>> 8);
    frame[1] = (byte) message.length;
    System.arraycopy(message, 0, frame, 2, message.length);
    out.write(frame);
  }

  /**
   * Reads one framed handshake message, consuming exactly its bytes. End of stream anywhere is
   * {@link Reason#TRUNCATED}: a handshake cannot end early.
   */
  static byte[] readHandshakeFrame(InputStream in, int index)
      throws IOException, ProtocolException {
    byte[] header = in.readNBytes(2);
    if (header.length < 2) {
      throw ProtocolException.connection(
          Reason.TRUNCATED, "noise: stream ended before handshake message " + index);
    }
    int len = ((header[0] & 0xff) << 8) | (header[1] & 0xff); // ≤ MAX_MESSAGE by construction
    byte[] body = in.readNBytes(len);
    if (body.length < len) {
      throw ProtocolException.connection(
          Reason.TRUNCATED,
          "noise: handshake message " + index + " ended after " + body.length + " of " + len);
    }
    return body;
  }
}
