package dev.cairn.p2p.host;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.p2p.multistream.Multistream;
import dev.cairn.p2p.yamux.YamuxSession;
import dev.cairn.p2p.yamux.YamuxStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Streams of every connection: an inbound stream negotiates its protocol against the {@link
 * ProtocolRegistry} and runs its handler on the stream's own virtual thread, with the one ladder
 * that maps a handler's failure onto the stream, the connection and the peer's standing; an
 * outbound stream negotiates one of the caller's protocols. Negotiation runs under a deadline.
 */
record StreamDispatcher(
    ProtocolRegistry registry,
    ScheduledExecutorService timer,
    Duration negotiationTimeout,
    ConnectionManager manager) {
  private static final Logger LOG = LogManager.getLogger();

  /** Serves one inbound stream of {@code conn} (on the stream's thread) until its handler ends. */
  void serveInbound(Libp2pConnection conn, YamuxStream raw) {
    String protocol;
    Map<String, ProtocolHandler> current = registry.snapshot();
    try (Deadline deadline = new Deadline(timer, negotiationTimeout, raw::reset)) {
      protocol = Multistream.listen(raw, current.keySet(), Scope.STREAM);
    } catch (ProtocolException e) {
      LOG.debug(
          "stream negotiation with {} failed: {}", conn.remotePeer().shortString(), e.getMessage());
      raw.reset();
      return;
    } catch (IOException e) {
      LOG.trace(
          "stream negotiation with {} failed: {}", conn.remotePeer().shortString(), e.toString());
      raw.reset();
      return;
    }
    if (!tagProtocol(raw, protocol)) {
      LOG.debug(
          "resetting inbound {} stream of {}: protocol stream limit",
          protocol,
          conn.remotePeer().shortString());
      raw.reset();
      return;
    }
    ProtocolHandler handler = current.get(protocol);
    Stream stream = new MuxedStream(raw, protocol, conn);
    try {
      handler.handle(stream);
      stream.close();
    } catch (ProtocolException e) {
      LOG.debug("{}: peer broke the protocol: {}", stream, e.getMessage());
      manager.penalize(
          conn.remotePeer(),
          e.scope() == Scope.CONNECTION ? Libp2pHost.PENALTY_CONNECTION : Libp2pHost.PENALTY_STREAM,
          protocol + ": " + e.getMessage());
      stream.reset();
      if (e.scope() == Scope.CONNECTION) {
        conn.close();
      }
    } catch (IOException e) {
      LOG.trace("{}: {}", stream, e.toString());
      stream.reset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stream.reset();
    } catch (Exception e) {
      LOG.error("{}: handler failed", stream, e);
      stream.reset();
    }
  }

  /**
   * Counts the stream against its protocol's limits in the resource manager; false when they refuse
   * it (the caller resets the stream).
   */
  private static boolean tagProtocol(YamuxStream raw, String protocol) {
    return !(raw.memory() instanceof ResourceManager.StreamScope scope)
        || scope.setProtocol(protocol);
  }

  /** Opens a stream on {@code conn} and negotiates one of {@code protocols}. */
  Stream openStream(Libp2pConnection conn, List<String> protocols) throws IOException {
    YamuxSession session = conn.session();
    if (session == null || !session.isOpen()) {
      throw new IOException("connection to " + conn.remotePeer().shortString() + " is closed");
    }
    YamuxStream raw = session.openStream();
    try (Deadline deadline = new Deadline(timer, negotiationTimeout, raw::reset)) {
      String protocol = Multistream.select(raw, protocols, Scope.STREAM);
      if (!tagProtocol(raw, protocol)) {
        raw.reset();
        throw new IOException(
            "resource limit: too many "
                + protocol
                + " streams (with "
                + conn.remotePeer().shortString()
                + " or in all)");
      }
      return new MuxedStream(raw, protocol, conn);
    } catch (ProtocolException e) {
      raw.reset();
      throw new StreamNegotiationException(
          conn.remotePeer().shortString() + " does not speak " + protocols + ": " + e.getMessage(),
          e);
    } catch (IOException e) {
      raw.reset();
      throw e;
    }
  }
}
