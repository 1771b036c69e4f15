package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** An upgraded (secured and multiplexed) connection to one peer. Thread-safe. */
public interface Connection {

  /** Who opened the connection: we did (OUTBOUND) or the remote did (INBOUND). */
  enum Direction {
    INBOUND,
    OUTBOUND
  }

  PeerId remotePeer();

  /** The remote's identity key, authenticated by the Noise handshake. */
  PublicKey remoteKey();

  Multiaddr localAddress();

  Multiaddr remoteAddress();

  Direction direction();

  /** The negotiated security protocol ({@code /noise}) and muxer ({@code /yamux/1.0.0}). */
  String security();

  String muxer();

  Instant openedAt();

  boolean isOpen();

  /**
   * Opens a stream and negotiates the first of {@code protocols} the remote supports.
   *
   * @throws IOException if the connection fails, or a {@link StreamNegotiationException} when the
   *     remote supports none of them
   */
  Stream newStream(List<String> protocols) throws IOException;

  /** Round-trip time of a muxer-level ping. */
  Duration muxerPing(Duration timeout) throws IOException;

  /** Number of open streams. */
  int streamCount();

  /** Closes the connection and all its streams. Idempotent. */
  void close();
}
