package dev.cairn.p2p.reqresp;

import dev.cairn.owner.Scheduler;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Deadline;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One length-prefixed request/response protocol: the requester opens a stream, writes one request
 * and closes its side; the responder answers with result-coded chunks and closes. Both directions
 * are bounded (request size, chunk size and count, time to first byte and to the end), and the
 * responder limits each peer's concurrent requests and request rate.
 *
 * <p>Consequences for peers: a requester that sends an oversized or malformed request gets
 * INVALID_REQUEST and loses standing; one over its rate gets RATE_LIMITED. A responder that breaks
 * the framing or exceeds the limits loses standing at the requester ({@link ProtocolException}
 * thrown from {@link #request}); error codes and timeouts are reported to the caller, who decides.
 *
 * <p>Threading: each request runs on its stream's virtual thread; its first-byte and response
 * deadlines are two entries on the shared {@link Scheduler} (no thread per request). The per-peer
 * limits are in a concurrent map of small per-peer objects whose fields are atomics or guarded by
 * their own lock; entries go when the peer's last connection closes.
 */
public final class ReqRespProtocol implements ConnectionListener {
  private static final Logger LOG = LogManager.getLogger();

  /** Standing a requester loses for an invalid request, and a responder for a broken response. */
  static final int PENALTY_INVALID = 20;

  static final int PENALTY_RATE = 2;

  /**
   * Hears the result code of each answer we send (for metrics), on the stream's thread: it must not
   * block or throw.
   */
  @FunctionalInterface
  public interface AnswerListener {
    void answered(PeerId peer, RpcCode code);
  }

  /** The responder's write buffer, allocated per answered request. */
  static final int RESPONSE_BUFFER = 64 * 1024;

  private final Host host;
  private final ReqRespConfig config;
  private final AnswerListener answers;
  private final ConcurrentHashMap<PeerId, PeerLimit> limits = new ConcurrentHashMap<>();

  private ReqRespProtocol(Host host, ReqRespConfig config, AnswerListener answers) {
    this.host = host;
    this.config = config;
    this.answers = answers;
  }

  /** Serves the protocol on {@code host} with {@code handler}; the result also makes requests. */
  public static ReqRespProtocol serve(Host host, ReqRespConfig config, RequestHandler handler) {
    return serve(host, config, handler, (peer, code) -> {});
  }

  /** As {@link #serve(Host, ReqRespConfig, RequestHandler)}; {@code answers} hears each answer. */
  public static ReqRespProtocol serve(
      Host host, ReqRespConfig config, RequestHandler handler, AnswerListener answers) {
    ReqRespProtocol p = new ReqRespProtocol(host, config, answers);
    host.setHandler(config.protocolId(), stream -> p.answer(stream, handler));
    host.addConnectionListener(p);
    return p;
  }

  /** Only makes requests (the protocol is not served, so peers don't see it in identify). */
  public static ReqRespProtocol client(Host host, ReqRespConfig config) {
    return new ReqRespProtocol(host, config, (peer, code) -> {});
  }

  public ReqRespConfig config() {
    return config;
  }

  @Override
  public void disconnected(Connection connection) {
    if (!host.isConnected(connection.remotePeer())) {
      limits.remove(connection.remotePeer());
    }
  }

  /**
   * Sends {@code request} to {@code peer} and returns the SUCCESS chunks, within the config's chunk
   * count and response byte budget.
   *
   * @throws RpcException when the responder answered with an error code
   * @throws ProtocolException when the responder broke the framing or the limits (it has lost
   *     standing already) or timed out
   * @throws IOException when the stream or connection failed
   */
  public List<byte[]> request(PeerId peer, byte[] request) throws IOException, ProtocolException {
    return request(peer, request, config.maxChunks(), config.maxResponseBytes());
  }

  /**
   * As {@link #request(PeerId, byte[])}, accepting at most {@code maxChunks} chunks and {@code
   * maxBytes} of payload in all (each capped by the config): what this request asked for. A
   * responder that sends more breaks the protocol ({@link ProtocolException.Reason#LIMIT_EXCEEDED}
   * before the extra chunk is buffered): it loses standing and the stream is reset.
   *
   * <p>The answer is memory the responder decides to fill (up to those bounds) and may take up to
   * the response timeout to finish, so each chunk is reserved from the {@link ResourceManager}
   * before it is read ({@link ResourceManager#reserveAnswers}, low priority) and released when this
   * method returns; from then on the chunks are the caller's, bounded by how many requests it
   * makes. A chunk the budget refuses ends the request with an {@link IOException} ("busy") and
   * resets the stream; the responder is not penalised.
   */
  public List<byte[]> request(PeerId peer, byte[] request, int maxChunks, long maxBytes)
      throws IOException, ProtocolException {
    if (maxChunks < 1 || maxBytes < 0) {
      throw new IllegalArgumentException("bad response bounds " + maxChunks + ", " + maxBytes);
    }
    int chunkLimit = Math.min(maxChunks, config.maxChunks());
    long byteLimit = Math.min(maxBytes, config.maxResponseBytes());
    if (request.length > config.maxRequestBytes()) {
      throw new IllegalArgumentException(
          "request of " + request.length + " bytes is over the limit");
    }
    Stream stream = host.newStream(peer, config.protocolId());
    AtomicBoolean firstByte = new AtomicBoolean();
    AtomicBoolean expired = new AtomicBoolean();
    Scheduler.Cancellable[] deadlines = deadlines(stream, firstByte, expired);
    try (stream;
        ResourceManager.Reservation answer = host.resources().reserveAnswers(config.protocolId())) {
      OutputStream out =
          new BufferedOutputStream(stream.out(), Math.min(request.length + 10, 65536));
      ReqRespCodec.writeFrame(out, request);
      out.flush();
      stream.closeWrite();
      InputStream in = new FirstByteInputStream(stream.in(), firstByte);
      try {
        return ReqRespCodec.readResponse(
            in,
            config.maxChunkBytes(),
            chunkLimit,
            byteLimit,
            n -> reserveOrReset(answer, n, stream));
      } catch (ProtocolException e) {
        stream.reset(); // stop the responder sending more of what we will not read
        throw e;
      }
    } catch (ProtocolException e) {
      host.penalize(peer, PENALTY_INVALID, config.protocolId() + ": " + e.getMessage());
      throw e;
    } catch (IOException e) {
      if (expired.get()) {
        throw new ProtocolException(
            Reason.TIMEOUT,
            ProtocolException.Scope.STREAM,
            config.protocolId() + " to " + peer.shortString() + " timed out",
            e);
      }
      throw e;
    } finally {
      for (Scheduler.Cancellable d : deadlines) {
        d.cancel();
      }
    }
  }

  /** Reserves an answer chunk of {@code n} bytes, or resets the stream: we will not read it. */
  private static boolean reserveOrReset(ResourceManager.Reservation answer, int n, Stream stream) {
    if (answer.reserve(n, ResourceManager.Priority.LOW)) {
      return true;
    }
    stream.reset();
    return false;
  }

  /**
   * Resets the stream when the first response byte or the whole response is late: two deadlines on
   * the shared scheduler, cancelled when the request ends.
   */
  private Scheduler.Cancellable[] deadlines(
      Stream stream, AtomicBoolean firstByte, AtomicBoolean expired) {
    Scheduler scheduler = Scheduler.shared();
    Duration whole =
        config.responseTimeout().compareTo(config.firstByteTimeout()) < 0
            ? config.firstByteTimeout()
            : config.responseTimeout();
    return new Scheduler.Cancellable[] {
      scheduler.after(
          config.firstByteTimeout(),
          "reqresp-timeout",
          () -> {
            if (!firstByte.get()) {
              expired.set(true);
              stream.reset();
            }
          }),
      scheduler.after(
          whole,
          "reqresp-timeout",
          () -> {
            expired.set(true);
            stream.reset();
          })
    };
  }

  /**
   * Serves one request. The request must arrive within {@link ReqRespConfig#firstByteTimeout()}
   * (the time a requester waits for our first byte), else the stream is reset: a peer cannot hold a
   * stream open with nothing sent. The 64 KiB response buffer is allocated only once the request
   * has arrived and taken one of the peer's concurrency slots, and is reserved from the {@link
   * ResourceManager} first (refused at the budget with SERVER_ERROR, "busy").
   */
  private void answer(Stream stream, RequestHandler handler) throws IOException {
    PeerId peer = stream.remotePeer();
    // The request is read first (it is bounded), so that every answer, errors included, goes to a
    // requester that has finished writing: closing a stream the remote still writes to resets it.
    byte[] request;
    try (Deadline deadline = host.readDeadline(stream, config.firstByteTimeout())) {
      try {
        request = ReqRespCodec.readRequest(stream.in(), config.maxRequestBytes());
      } catch (IOException e) {
        if (deadline.expired()) {
          LOG.debug(
              "{}: no request from {} within {} ms; stream reset",
              config.protocolId(),
              peer.shortString(),
              config.firstByteTimeout().toMillis());
        }
        throw e;
      }
    } catch (ProtocolException e) {
      host.penalize(peer, PENALTY_INVALID, config.protocolId() + ": " + e.getMessage());
      refuse(stream, RpcCode.INVALID_REQUEST, e.getMessage());
      answers.answered(peer, RpcCode.INVALID_REQUEST);
      return;
    }
    PeerLimit limit = limits.computeIfAbsent(peer, p -> new PeerLimit(config));
    if (!limit.tryAcquire()) {
      host.penalize(peer, PENALTY_RATE, config.protocolId() + ": over the request rate");
      refuse(stream, RpcCode.RATE_LIMITED, "too many requests");
      answers.answered(peer, RpcCode.RATE_LIMITED);
      return;
    }
    // The buffer is memory held on the peer's behalf: reserved from its budget (and the protocol's
    // and the system's) before it is allocated; at the budget the request is refused, not queued.
    ResourceManager.Reservation buffer =
        host.resources().reserve(peer, config.protocolId(), RESPONSE_BUFFER);
    if (buffer == null) {
      limit.release();
      refuse(stream, RpcCode.SERVER_ERROR, "busy: resource limit");
      answers.answered(peer, RpcCode.SERVER_ERROR);
      return;
    }
    try (buffer) {
      OutputStream out = new BufferedOutputStream(stream.out(), RESPONSE_BUFFER);
      AtomicInteger sent = new AtomicInteger();
      RequestHandler.Responder responder =
          payload -> {
            if (sent.get() == config.maxChunks()) {
              throw new IllegalStateException(
                  "handler wrote more than " + config.maxChunks() + " chunks");
            }
            if (payload.length > config.maxChunkBytes()) {
              throw new IllegalStateException(
                  "chunk of " + payload.length + " bytes is over the limit");
            }
            sent.incrementAndGet();
            ReqRespCodec.writeChunk(out, RpcCode.SUCCESS, payload);
          };
      RpcCode code = RpcCode.SUCCESS;
      try {
        handler.handle(peer, request, responder);
      } catch (RpcException e) {
        if (e.code() == RpcCode.INVALID_REQUEST) {
          host.penalize(peer, PENALTY_INVALID, config.protocolId() + ": " + e.getMessage());
        }
        code = e.code();
        ReqRespCodec.writeError(out, e.code(), e.getMessage());
      } catch (RuntimeException e) {
        LOG.error("{} handler failed for {}", config.protocolId(), peer.shortString(), e);
        code = RpcCode.SERVER_ERROR;
        ReqRespCodec.writeError(out, RpcCode.SERVER_ERROR, "internal error");
      }
      out.flush();
      stream.closeWrite();
      answers.answered(peer, code);
    } finally {
      limit.release();
    }
  }

  /** Answers with one error chunk and closes our side (a small buffer: no response follows). */
  private static void refuse(Stream stream, RpcCode code, String message) throws IOException {
    OutputStream out = new BufferedOutputStream(stream.out(), 512);
    ReqRespCodec.writeError(out, code, message);
    out.flush();
    stream.closeWrite();
  }

  /** Concurrency and a token bucket for one peer. */
  private static final class PeerLimit {
    private final ReqRespConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock bucketLock = new ReentrantLock();
    private double tokens;
    private long refilledAt = System.nanoTime();

    PeerLimit(ReqRespConfig config) {
      this.config = config;
      this.tokens = config.burst();
    }

    boolean tryAcquire() {
      bucketLock.lock();
      try {
        long now = System.nanoTime();
        tokens =
            Math.min(
                config.burst(), tokens + (now - refilledAt) / 1e9 * config.requestsPerSecond());
        refilledAt = now;
        if (tokens < 1) {
          return false;
        }
        if (inFlight.incrementAndGet() > config.maxConcurrentPerPeer()) {
          inFlight.decrementAndGet();
          return false;
        }
        tokens -= 1;
        return true;
      } finally {
        bucketLock.unlock();
      }
    }

    void release() {
      inFlight.decrementAndGet();
    }
  }

  /** Notes when the first byte arrives, for the first-byte timeout. */
  private static final class FirstByteInputStream extends java.io.FilterInputStream {
    private final AtomicBoolean seen;

    FirstByteInputStream(InputStream in, AtomicBoolean seen) {
      super(in);
      this.seen = seen;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      seen.set(true);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      seen.set(true);
      return n;
    }
  }
}
