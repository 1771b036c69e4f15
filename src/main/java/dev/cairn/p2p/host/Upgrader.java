package dev.cairn.p2p.host;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multistream.Multistream;
import dev.cairn.p2p.noise.NoiseHandshake;
import dev.cairn.p2p.noise.NoiseSession;
import dev.cairn.p2p.transport.RawConnection;
import dev.cairn.p2p.yamux.YamuxSession;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns a raw connection into a libp2p one: multistream-select to {@code /noise}, the Noise XX
 * handshake, then {@code /yamux/1.0.0} (inside the handshake when both sides offer it, else by
 * multistream), all under one {@link HostConfig#handshakeTimeout()} deadline; then registers the
 * connection with the {@link ConnectionManager}. Runs on the calling thread (the dialer's, or the
 * virtual thread the accept loop starts per inbound connection).
 */
record Upgrader(
    HostConfig config,
    ScheduledExecutorService timer,
    ConnectionManager manager,
    StreamDispatcher dispatcher,
    ResourceManager resources) {
  private static final Logger LOG = LogManager.getLogger();

  /**
   * Runs the whole upgrade under one deadline. On success the slot is released when the connection
   * closes; on failure at once.
   *
   * @param expected the peer we dialled, checked by the handshake; null for inbound connections
   */
  Libp2pConnection upgrade(RawConnection raw, PeerId expected, Runnable releaseSlot)
      throws IOException, ProtocolException {
    boolean initiator = raw.initiator();
    Deadline deadline =
        new Deadline(timer, config.handshakeTimeout(), () -> Libp2pHost.closeQuietly(raw));
    Libp2pConnection conn;
    ResourceManager.ConnectionScope scope = null;
    try {
      if (initiator) {
        Multistream.select(raw, List.of(Libp2pHost.NOISE), Scope.CONNECTION);
      } else {
        Multistream.listen(raw, Set.of(Libp2pHost.NOISE), Scope.CONNECTION);
      }
      List<String> muxers = config.earlyMuxerNegotiation() ? List.of(Libp2pHost.YAMUX) : List.of();
      NoiseSession secure =
          initiator
              ? NoiseHandshake.initiate(
                  raw, config.identity(), expected, muxers, config.handshakeTimeout())
              : NoiseHandshake.respond(raw, config.identity(), muxers, config.handshakeTimeout());
      String muxer = secure.earlyMuxer().orElse(null);
      if (muxer == null) {
        muxer =
            initiator
                ? Multistream.select(secure, List.of(Libp2pHost.YAMUX), Scope.CONNECTION)
                : Multistream.listen(secure, Set.of(Libp2pHost.YAMUX), Scope.CONNECTION);
      }
      if (!deadline.cancel()) {
        throw new ProtocolException(Reason.TIMEOUT, Scope.CONNECTION, "handshake timed out");
      }
      conn =
          new Libp2pConnection(
              dispatcher,
              secure.remotePeer(),
              secure.remoteKey(),
              raw.localAddress(),
              raw.remoteAddress(),
              initiator ? Connection.Direction.OUTBOUND : Connection.Direction.INBOUND,
              muxer,
              Instant.now(),
              new AtomicReference<>());
      CompletableFuture<Libp2pConnection> ready = new CompletableFuture<>();
      ResourceManager.ConnectionScope memory = resources.openConnection(secure.remotePeer());
      scope = memory;
      YamuxSession session =
          YamuxSession.start(
              secure,
              initiator,
              config.yamux(),
              stream -> dispatcher.serveInbound(ready.join(), stream),
              secure.remotePeer().shortString(),
              memory);
      conn.attach(session);
      ready.complete(conn);
      session.onClose(
          () -> {
            memory.close();
            releaseSlot.run();
            manager.unregister(conn);
            if (session.closeCause() instanceof ProtocolException e) {
              manager.penalize(conn.remotePeer(), Libp2pHost.PENALTY_CONNECTION, e.getMessage());
            }
            LOG.debug("disconnected {}", conn);
          });
    } catch (IOException | ProtocolException | RuntimeException e) {
      deadline.cancel();
      if (scope != null) {
        scope.close();
      }
      Libp2pHost.closeQuietly(raw);
      releaseSlot.run();
      if (deadline.expired()) {
        throw new ProtocolException(
            Reason.TIMEOUT,
            Scope.CONNECTION,
            "handshake timed out after " + config.handshakeTimeout(),
            e);
      }
      throw e;
    }
    if (!await(manager.register(conn))) {
      conn.close();
      throw new IOException("connection to " + conn.remotePeer() + " refused: per-peer limit");
    }
    LOG.debug("connected {}", conn);
    return conn;
  }

  private static boolean await(CompletableFuture<Boolean> f) throws IOException {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("connection manager did not answer", e);
    }
  }
}
