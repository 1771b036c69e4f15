package dev.cairn.p2p.identify;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Deadline;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.p2p.record.PeerRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * identify ({@code /ipfs/id/1.0.0}) and identify push ({@code /ipfs/id/push/1.0.0}). Runs identify
 * on every new connection, both directions, and stores what it learns in the host's peer store;
 * pushes our protocols to connected peers when they change.
 *
 * <p>Threading: stateless apart from {@link #results}, a concurrent map of futures (each completed
 * once by the identify run of a connection, read by waiters). Each run is on its own virtual
 * thread.
 */
public final class IdentifyService implements ConnectionListener {
  private static final Logger LOG = LogManager.getLogger();

  public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";
  public static final String PUSH_PROTOCOL_ID = "/ipfs/id/push/1.0.0";

  /** Messages read from one identify stream before we stop (go and js use 10). */
  static final int MAX_MESSAGES = 10;

  /**
   * How long a peer has to send its whole identify answer or push (go-libp2p allows as long); the
   * stream is reset after that, so a peer cannot hold identify streams open by sending nothing.
   */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final Host host;
  private volatile Duration readTimeout = READ_TIMEOUT;
  private final String agentVersion;
  private final String protocolVersion;
  private final ConcurrentHashMap<PeerId, CompletableFuture<IdentifyMessage>> results =
      new ConcurrentHashMap<>();

  private IdentifyService(Host host, String agentVersion, String protocolVersion) {
    this.host = host;
    this.agentVersion = agentVersion;
    this.protocolVersion = protocolVersion;
  }

  /**
   * Registers the handlers, the on-connect identify run and identify push on {@code host}.
   *
   * @param agentVersion what we call ourselves, e.g. {@code cairn/0.1.0}
   * @param protocolVersion e.g. {@code ipfs/0.1.0}
   */
  public static IdentifyService install(Host host, String agentVersion, String protocolVersion) {
    IdentifyService s = new IdentifyService(host, agentVersion, protocolVersion);
    host.setHandler(PROTOCOL_ID, s::answer);
    host.setHandler(PUSH_PROTOCOL_ID, s::receivePush);
    host.addConnectionListener(s);
    host.addProtocolListener(s::pushAll);
    return s;
  }

  @Override
  public void connected(Connection connection) {
    results.computeIfAbsent(connection.remotePeer(), p -> new CompletableFuture<>());
    Thread.ofVirtual()
        .name("identify-" + connection.remotePeer().shortString())
        .start(
            () -> {
              try {
                identify(connection);
              } catch (IOException | ProtocolException e) {
                LOG.debug(
                    "identify of {} failed: {}",
                    connection.remotePeer().shortString(),
                    e.getMessage());
              }
            });
  }

  /**
   * On a peer's last disconnect its entry goes, answered or not (a peer that never answers must not
   * leave state behind); a waiter still waiting learns that the peer left.
   */
  @Override
  public void disconnected(Connection connection) {
    PeerId peer = connection.remotePeer();
    if (host.connections(peer).isEmpty()) {
      CompletableFuture<IdentifyMessage> f = results.remove(peer);
      if (f != null) {
        f.completeExceptionally(new IOException(peer.shortString() + " disconnected"));
      }
    }
  }

  /** Publishes {@code m} as {@code peer}'s answer, unless the peer left meanwhile. */
  private void settle(PeerId peer, IdentifyMessage m) {
    results.computeIfAbsent(peer, p -> new CompletableFuture<>()).complete(m);
    forgetIfGone(peer);
  }

  /** Drops {@code peer}'s entry when it has no connection (it may have left during a run). */
  private void forgetIfGone(PeerId peer) {
    if (host.connections(peer).isEmpty()) {
      results.remove(peer);
    }
  }

  /** Shortens {@link #READ_TIMEOUT} (tests; set before the first connection). */
  void readTimeout(Duration timeout) {
    this.readTimeout = timeout;
  }

  /** Peers with an entry (answered or awaited); tests check that it stays bounded. */
  int trackedPeers() {
    return results.size();
  }

  /** Asks the remote of {@code connection} who it is; stores and returns the answer. */
  public IdentifyMessage identify(Connection connection) throws IOException, ProtocolException {
    IdentifyMessage m;
    try (Stream stream = connection.newStream(List.of(PROTOCOL_ID));
        Deadline deadline = host.readDeadline(stream, readTimeout)) {
      m = checkRecord(connection.remotePeer(), readMessages(stream.in()));
    }
    if (m.publicKey() != null && !connection.remotePeer().matches(m.publicKey())) {
      connection.close();
      throw new ProtocolException(
          Reason.PEER_ID_MISMATCH, Scope.CONNECTION, "identify key does not match the peer id");
    }
    record(connection.remotePeer(), m);
    settle(connection.remotePeer(), m);
    return m;
  }

  /**
   * The identify answer of {@code peer}, waiting up to {@code timeoutMillis} for the run that
   * starts on connect.
   */
  public IdentifyMessage awaitIdentify(PeerId peer, long timeoutMillis) throws IOException {
    try {
      return results
          .computeIfAbsent(peer, p -> new CompletableFuture<>())
          .get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException();
    } catch (ExecutionException | TimeoutException e) {
      forgetIfGone(peer);
      throw new IOException("no identify from " + peer + " within " + timeoutMillis + " ms", e);
    }
  }

  /** Sends our current identify to every connected peer (after our protocols changed). */
  public void pushAll() {
    for (Connection c : host.connections()) {
      Thread.ofVirtual()
          .name("identify-push-" + c.remotePeer().shortString())
          .start(
              () -> {
                try (Stream s = c.newStream(List.of(PUSH_PROTOCOL_ID))) {
                  write(s.out(), ourMessage(c));
                  s.closeWrite();
                } catch (IOException e) {
                  LOG.debug(
                      "identify push to {} failed: {}",
                      c.remotePeer().shortString(),
                      e.getMessage());
                }
              });
    }
  }

  /** What we tell {@code connection}'s remote about ourselves. */
  IdentifyMessage ourMessage(Connection connection) {
    List<Multiaddr> addrs = host.listenAddresses();
    // The signed peer record carries the same addresses, signed; seq is wall-clock milliseconds,
    // so a restarted node's record supersedes its old one.
    byte[] record =
        PeerRecord.of(
                host.peerId(),
                System.currentTimeMillis(),
                addrs.stream().map(Multiaddr::encode).toList())
            .sign(host.identity())
            .encode();
    return new IdentifyMessage(
        protocolVersion,
        agentVersion,
        host.identity().publicKey(),
        addrs,
        connection.remoteAddress(),
        new ArrayList<>(host.protocols()),
        record);
  }

  private void answer(Stream stream) throws IOException {
    write(stream.out(), ourMessage(stream.connection()));
    stream.closeWrite();
  }

  private void receivePush(Stream stream) throws IOException, ProtocolException {
    IdentifyMessage m;
    try (Deadline deadline = host.readDeadline(stream, readTimeout)) {
      m = checkRecord(stream.remotePeer(), readMessages(stream.in()));
    }
    if (m.publicKey() != null && !stream.remotePeer().matches(m.publicKey())) {
      throw new ProtocolException(
          Reason.PEER_ID_MISMATCH,
          Scope.CONNECTION,
          "identify push key does not match the peer id");
    }
    record(stream.remotePeer(), m);
    results.computeIfAbsent(stream.remotePeer(), p -> new CompletableFuture<>()).complete(m);
    results.computeIfPresent(
        stream.remotePeer(),
        (p, f) -> f.isDone() ? CompletableFuture.completedFuture(merged(f, m)) : f);
    forgetIfGone(stream.remotePeer());
  }

  private static IdentifyMessage merged(
      CompletableFuture<IdentifyMessage> done, IdentifyMessage m) {
    return done.join().merge(m);
  }

  /**
   * The message without its signed peer record when the record does not verify or names another
   * peer: a bad record is dropped, the rest of identify still counts.
   */
  private static IdentifyMessage checkRecord(PeerId peer, IdentifyMessage m) {
    if (m.signedPeerRecord() == null) {
      return m;
    }
    try {
      PeerRecord r = PeerRecord.decode(m.signedPeerRecord());
      if (r.peerId().equals(peer)) {
        return m;
      }
      LOG.debug("{} sent the peer record of {}", peer.shortString(), r.peerId());
    } catch (ProtocolException e) {
      LOG.debug("{} sent a bad signed peer record: {}", peer.shortString(), e.getMessage());
    }
    return new IdentifyMessage(
        m.protocolVersion(),
        m.agentVersion(),
        m.publicKey(),
        m.listenAddrs(),
        m.observedAddr(),
        m.protocols(),
        null);
  }

  private void record(PeerId peer, IdentifyMessage m) {
    List<Multiaddr> addrs =
        m.listenAddrs() == null ? null : m.listenAddrs().stream().filter(a -> a.isTcp()).toList();
    host.peerStore()
        .update(peer, m.publicKey(), addrs, m.protocols(), m.agentVersion(), m.protocolVersion());
  }

  private static void write(OutputStream out, IdentifyMessage m) throws IOException {
    byte[] body = IdentifyCodec.encode(m);
    Varint.write(body.length, out);
    out.write(body);
    out.flush();
  }

  /** Reads length-prefixed messages until EOF (at most {@link #MAX_MESSAGES}) and merges them. */
  static IdentifyMessage readMessages(InputStream in) throws IOException, ProtocolException {
    IdentifyMessage merged = IdentifyMessage.empty();
    int count = 0;
    while (true) {
      int n = Varint.readLength(in, IdentifyCodec.MAX_MESSAGE, Scope.STREAM);
      if (n < 0) {
        break;
      }
      if (++count > MAX_MESSAGES) {
        throw ProtocolException.stream(Reason.LIMIT_EXCEEDED, "more than 10 identify messages");
      }
      byte[] body = in.readNBytes(n);
      if (body.length < n) {
        throw ProtocolException.stream(Reason.TRUNCATED, "identify message cut short");
      }
      merged = merged.merge(IdentifyCodec.decode(body));
    }
    if (count == 0) {
      throw ProtocolException.stream(Reason.TRUNCATED, "empty identify stream");
    }
    return merged;
  }
}
