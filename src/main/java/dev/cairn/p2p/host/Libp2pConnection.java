package dev.cairn.p2p.host;

import dev.cairn.p2p.crypto.PublicKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.yamux.YamuxSession;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP + Noise + yamux connection: what the handshake established, and the yamux session, which
 * owns the connection's protocol state. The session is attached once, right after the handshake
 * (its inbound handler needs the connection first); until then the connection is not open. Equal
 * only to itself (the session holder is a distinct object per connection).
 */
record Libp2pConnection(
    StreamDispatcher dispatcher,
    PeerId remotePeer,
    PublicKey remoteKey,
    Multiaddr localAddress,
    Multiaddr remoteAddress,
    Direction direction,
    String muxer,
    Instant openedAt,
    AtomicReference<YamuxSession> sessionHolder)
    implements Connection {

  void attach(YamuxSession session) {
    sessionHolder.set(session);
  }

  YamuxSession session() {
    return sessionHolder.get();
  }

  @Override
  public String security() {
    return Libp2pHost.NOISE;
  }

  @Override
  public boolean isOpen() {
    YamuxSession s = session();
    return s != null && s.isOpen();
  }

  @Override
  public Stream newStream(List<String> protocols) throws IOException {
    return dispatcher.openStream(this, protocols);
  }

  @Override
  public Duration muxerPing(Duration timeout) throws IOException {
    return session().ping(timeout);
  }

  @Override
  public int streamCount() {
    YamuxSession s = session();
    return s == null ? 0 : s.streamCount();
  }

  @Override
  public void close() {
    YamuxSession s = session();
    if (s != null) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return direction.name().toLowerCase(Locale.ROOT)
        + " "
        + remotePeer.shortString()
        + " "
        + remoteAddress;
  }
}
