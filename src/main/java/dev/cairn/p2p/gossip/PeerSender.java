package dev.cairn.p2p.gossip;

import com.google.protobuf.CodedOutputStream;
import dev.cairn.p2p.gossip.pb.GossipProtos;
import dev.cairn.p2p.host.ResourceManager;
import dev.cairn.p2p.host.ResourceManager.Priority;
import dev.cairn.p2p.host.Stream;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.multiformats.Varint;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Our one long-lived outbound pubsub stream to a peer and the virtual thread ({@code
 * gossip-send-<peer>}) that writes it from a bounded queue. The router only ever {@link #offer}s;
 * it never waits for the network.
 *
 * <p>Bound: {@code capacity} RPCs and {@code maxBytes} bytes ({@link Rpc#wireSize()}), counted from
 * {@link #offer} until the RPC is written. At either limit {@link #offer} returns false without
 * queueing, and the router counts the drop and drops the peer (it cannot keep up; waiting for it
 * would delay everyone else).
 *
 * <p>What is queued is memory held on the peer's behalf, so it is also reserved from the host's
 * resource manager ({@code budget}: the peer's, the protocol's and the system's budgets) from
 * {@link #offer} until written, at {@link Priority#LOW}: queues of peers that read slowly never
 * take the last quarter of a budget, which new streams' windows keep. A refused reservation drops
 * the RPC, and the peer only if its own queue is long ({@link #slowAfter}).
 */
final class PeerSender {
  private static final Logger LOG = LogManager.getLogger();

  /** Queued RPCs are taken into one write until it holds this many bytes. */
  static final int COALESCE_BYTES = 64 * 1024;

  /** A write buffer larger than this is not kept between writes. */
  private static final int KEPT_BUFFER = 256 * 1024;

  private final Stream stream;
  private final PeerId peer;

  private record Queued(Rpc rpc, long bytes) {}

  private final ArrayBlockingQueue<Queued> queue;
  private final long maxBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final int maxRpcBytes;
  private final BiConsumer<PeerSender, Boolean> onClosed;
  private final ResourceManager.Reservation budget;
  private volatile boolean closed;
  private Thread thread;

  /**
   * @param budget where queued bytes are reserved (closed with the sender)
   * @param onClosed called once (from the writer thread) when writing failed; the boolean is false
   *     (a full queue is reported by {@link #offer} to its caller)
   */
  PeerSender(
      Stream stream,
      int capacity,
      long maxBytes,
      int maxRpcBytes,
      ResourceManager.Reservation budget,
      BiConsumer<PeerSender, Boolean> onClosed) {
    this.stream = stream;
    this.budget = budget;
    this.peer = stream.remotePeer();
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxBytes = maxBytes;
    this.maxRpcBytes = maxRpcBytes;
    this.onClosed = onClosed;
  }

  /**
   * A sender on {@code stream} with {@code config}'s queue bounds, its queue reserved from {@code
   * resources} under the peer and the stream's protocol; resets the stream when no reservation can
   * be had.
   */
  static PeerSender open(
      Stream stream,
      ResourceManager resources,
      GossipConfig config,
      BiConsumer<PeerSender, Boolean> onClosed)
      throws IOException {
    ResourceManager.Reservation budget =
        resources.reserve(stream.remotePeer(), stream.protocol(), 0);
    if (budget == null) {
      stream.reset();
      throw new IOException("no budget for a queue to " + stream.remotePeer().shortString());
    }
    return new PeerSender(
        stream,
        config.peerQueue(),
        config.peerQueueBytes(),
        config.maxRpcBytes(),
        budget,
        onClosed);
  }

  PeerId peer() {
    return peer;
  }

  String protocol() {
    return stream.protocol();
  }

  void start() {
    thread = Thread.ofVirtual().name("gossip-send-" + peer.shortString()).start(this::run);
  }

  /**
   * Queues an RPC of {@code bytes} ({@link Rpc#wireSize()}), unless the queue is full (in RPCs or
   * bytes), the sender closed or the budget refuses. Never blocks. One thread offers (the router's
   * owner).
   */
  Offer offer(Rpc rpc, long bytes) {
    if (closed || queuedBytes.get() + bytes > maxBytes) {
      return Offer.FULL;
    }
    if (!budget.reserve(bytes, Priority.LOW)) {
      return Offer.NO_BUDGET;
    }
    queuedBytes.addAndGet(bytes);
    if (!queue.offer(new Queued(rpc, bytes))) {
      queuedBytes.addAndGet(-bytes);
      budget.release(bytes);
      return Offer.FULL;
    }
    return Offer.QUEUED;
  }

  /** What {@link #offer} did. */
  enum Offer {
    QUEUED,
    /** The queue is at its own bound (RPCs or bytes), or the sender closed. */
    FULL,
    /** The resource manager refused the bytes: a shared budget is at its low-priority share. */
    NO_BUDGET
  }

  /**
   * Whether an offer that came back {@code o} shows this peer is too slow to keep: its own queue is
   * full, or a shared budget refused while this queue holds a quarter of its bound or more. A queue
   * shorter than that is not what filled the budget: its RPC is dropped but the peer is kept, so
   * peers that fill the shared budget (say with grown windows) cannot get honest peers with short
   * queues dropped; gossip repairs the missed messages.
   */
  boolean slowAfter(Offer o) {
    return o == Offer.FULL || (o == Offer.NO_BUDGET && queuedBytes.get() >= maxBytes / 4);
  }

  /** Bytes queued and not yet written. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    stream.reset();
    budget.close();
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void run() {
    OutputStream out = stream.out();
    Batch batch = new Batch();
    try {
      while (!closed) {
        Queued q = queue.take();
        long done = q.bytes();
        batch.add(q.rpc());
        // What queued meanwhile goes out in the same write: one yamux frame, one Noise message
        // and one system call for all of it instead of one each per RPC.
        while (batch.size < COALESCE_BYTES && (q = queue.poll()) != null) {
          done += q.bytes();
          batch.add(q.rpc());
        }
        batch.writeTo(out);
        queuedBytes.addAndGet(-done);
        budget.release(done);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!closed) {
        LOG.trace("writing to {} failed: {}", peer.shortString(), e.getMessage());
        closed = true;
        stream.reset();
        budget.close();
        onClosed.accept(this, false);
      }
    }
  }

  /**
   * Queued RPCs taken together up to {@link #COALESCE_BYTES}, each framed (length prefix, then its
   * bytes) in one buffer that goes to the stream in one write.
   */
  private final class Batch {
    private byte[] buf = new byte[4096];
    private int size;

    void add(Rpc rpc) {
      GossipProtos.RPC proto = GossipCodec.proto(rpc);
      int length = proto.getSerializedSize();
      if (length > maxRpcBytes) {
        if (rpc.messages().size()
                + (rpc.control().isEmpty() && rpc.subscriptions().isEmpty() ? 0 : 1)
            > 1) {
          // Too big as one RPC: send the messages one by one and the rest on its own.
          add(new Rpc(rpc.subscriptions(), List.of(), rpc.control()));
          for (Rpc.Message m : rpc.messages()) {
            add(Rpc.ofMessage(m));
          }
        } else {
          LOG.debug("dropping an RPC of {} bytes to {}: above the limit", length, peer);
        }
        return;
      }
      if (length == 0) {
        return;
      }
      int need = size + Varint.MAX_BYTES + length;
      if (need > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
      }
      size = Varint.write(length, buf, size);
      // encoded straight into the buffer: no array per RPC and peer
      CodedOutputStream out = CodedOutputStream.newInstance(buf, size, length);
      try {
        proto.writeTo(out);
      } catch (IOException e) {
        throw new IllegalStateException("encoding into an array of the computed size", e);
      }
      out.checkNoSpaceLeft();
      size += length;
    }

    void writeTo(OutputStream out) throws IOException {
      if (size > 0) {
        out.write(buf, 0, size);
        out.flush();
      }
      size = 0;
      if (buf.length > KEPT_BUFFER) {
        buf = new byte[4096]; // do not keep a large message's buffer for the peer's lifetime
      }
    }
  }
}
