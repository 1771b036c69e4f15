package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.yamux.YamuxSession;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A TCP + Noise + yamux connection. The yamux session owns the connection's protocol state. */
final class Libp2pConnection implements Connection {
  private final StreamDispatcher dispatcher;
  private final PeerId remotePeer;
  private final PublicKey remoteKey;
  private final Multiaddr localAddress;
  private final Multiaddr remoteAddress;
  private final Direction direction;
  private final String muxer;
  private final Instant openedAt;
  private volatile YamuxSession session;

  Libp2pConnection(
      StreamDispatcher dispatcher,
      PeerId remotePeer,
      PublicKey remoteKey,
      Multiaddr localAddress,
      Multiaddr remoteAddress,
      Direction direction,
      String muxer) {
    this.dispatcher = dispatcher;
    this.remotePeer = remotePeer;
    this.remoteKey = remoteKey;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    this.direction = direction;
    this.muxer = muxer;
    this.openedAt = Instant.now();
  }

  void attach(YamuxSession session) {
    this.session = session;
  }

  YamuxSession session() {
    return session;
  }

  @Override
  public PeerId remotePeer() {
    return remotePeer;
  }

  @Override
  public PublicKey remoteKey() {
    return remoteKey;
  }

  @Override
  public Multiaddr localAddress() {
    return localAddress;
  }

  @Override
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public String security() {
    return Libp2pHost.NOISE;
  }

  @Override
  public String muxer() {
    return muxer;
  }

  @Override
  public Instant openedAt() {
    return openedAt;
  }

  @Override
  public boolean isOpen() {
    YamuxSession s = session;
    return s != null && s.isOpen();
  }

  @Override
  public Stream newStream(List<String> protocols) throws IOException {
    return dispatcher.openStream(this, protocols);
  }

  @Override
  public Duration muxerPing(Duration timeout) throws IOException {
    return session.ping(timeout);
  }

  @Override
  public int streamCount() {
    YamuxSession s = session;
    return s == null ? 0 : s.streamCount();
  }

  @Override
  public void close() {
    YamuxSession s = session;
    if (s != null) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return direction.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + remotePeer.shortString()
        + " "
        + remoteAddress;
  }
}
