package dev.cairn.p2p.host;

import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.yamux.YamuxMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Budgets for what peers make us hold, in bytes and in streams, in five kinds of scope (the idea of
 * go-libp2p's resource manager): the <b>system</b>, each <b>peer</b> (all its connections), each
 * <b>connection</b>, each <b>stream</b>, and each <b>protocol</b> (system-wide, and per peer). A
 * reservation is charged to its scope and every scope above it at once, or refused whole when any
 * of them would pass its limit ({@link ResourceLimits}); nothing is ever buffered past a budget.
 *
 * <p>What reserves here:
 *
 * <ul>
 *   <li>yamux streams ({@link #openConnection} gives the session its {@link YamuxMemory}): a new
 *       stream counts against the stream limits and reserves its initial 256 KiB receive window; a
 *       stream refused is answered with RST (inbound) or fails to open (outbound). A window grows
 *       only by what is reserved for it, at {@link Priority#LOW}. Once its protocol is negotiated
 *       the stream is tagged with it ({@link StreamScope#setProtocol}), which counts it against the
 *       protocol's limits; over them, the host resets the stream.
 *   <li>buffers held for one peer ({@link #reserve(PeerId, String, long)}), such as a
 *       request/response answer buffer or a gossip queue: a {@link Reservation} that may grow and
 *       shrink and is released on close.
 *   <li>answers we read to our own requests ({@link #reserveAnswers}), chunk by chunk before each
 *       is allocated, until the request ends.
 * </ul>
 *
 * <p>Priorities: a reservation is {@link Priority#HIGH} (it may fill a budget: a new stream's
 * initial window, a buffer a request needs) or {@link Priority#LOW} (something that only makes a
 * stream faster: a receive window's growth by auto-tuning). A low-priority reservation is granted
 * only while every scope it shares with other streams (connection, peer, protocol, system) stays
 * within {@link Priority#LOW}'s share, three quarters, of its budget after it; so grown windows
 * never take the last quarter, and a new stream to a busy peer still finds room for its initial
 * window. A stream's own scope holds that stream alone and is not held back.
 *
 * <p>Everything is released when its owner closes: a stream when it leaves its session, a
 * connection's remainder when the connection ends; a peer scope goes when its last connection and
 * reservation are gone.
 *
 * <p>Threading: any thread (session readers, stream handlers, the gossip router). All counts are
 * guarded by one lock held only for the arithmetic; nothing blocks while holding it.
 */
public final class ResourceManager {

  /** Bytes reserved and streams open in one scope. */
  public record Usage(long bytes, int streams) {}

  /**
   * How much of a shared budget a reservation may use: {@link #HIGH} all of it, {@link #LOW} only
   * up to three quarters, so that high-priority reservations always have the last quarter.
   */
  public enum Priority {
    /** Up to the whole budget: new streams' initial windows, buffers a request needs. */
    HIGH,
    /**
     * Up to three quarters of each shared scope's budget (the reservation's own stream scope
     * excepted), counted after the reservation: receive window growth, which a stream can do
     * without, and answers to our own requests, which we can ask again later.
     */
    LOW;

    /** The most bytes a shared scope with budget {@code max} may hold after such a reservation. */
    long ceiling(long max) {
      return this == HIGH ? max : max - max / 4;
    }
  }

  /**
   * A snapshot of the manager's usage, for metrics.
   *
   * @param system everything
   * @param protocols per protocol (streams whose protocol is negotiated, and buffers)
   * @param peers peers holding anything
   * @param largestPeer the usage of the peer that holds the most bytes (zeros when none)
   * @param connections connections holding a scope
   * @param refused reservations and streams refused at a limit since the start
   * @param peakBytes the most bytes the system scope ever held at once
   */
  public record Snapshot(
      Usage system,
      Map<String, Usage> protocols,
      int peers,
      Usage largestPeer,
      int connections,
      long refused,
      long peakBytes) {}

  private final ResourceLimits limits;
  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final Counter system;
  private final Map<PeerId, PeerCounter> peers = new HashMap<>();
  private final Map<String, Counter> protocols = new HashMap<>();
  private final Map<ProtocolPeer, Counter> protocolPeers = new HashMap<>();
  private int connections;
  private long refused;
  private long peakBytes;

  private record ProtocolPeer(String protocol, PeerId peer) {}

  public ResourceManager(ResourceLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.system = new Counter(limits.systemBytes(), limits.systemStreams());
  }

  public ResourceLimits limits() {
    return limits;
  }

  /** Usage now, per scope. */
  public Snapshot snapshot() {
    return locked(
        () -> {
          Map<String, Usage> byProtocol = new TreeMap<>();
          protocols.forEach((p, c) -> byProtocol.put(p, c.usage()));
          Usage largest = new Usage(0, 0);
          for (PeerCounter p : peers.values()) {
            if (p.bytes > largest.bytes()) {
              largest = p.usage();
            }
          }
          return new Snapshot(
              system.usage(),
              Map.copyOf(byProtocol),
              peers.size(),
              largest,
              connections,
              refused,
              peakBytes);
        });
  }

  /** What {@code peer} holds now (zeros when nothing). */
  public Usage peerUsage(PeerId peer) {
    return locked(
        () -> {
          PeerCounter p = peers.get(peer);
          return p == null ? new Usage(0, 0) : p.usage();
        });
  }

  /**
   * Reserves {@code bytes} held on {@code peer}'s behalf for {@code protocol} (a buffer, a queue),
   * charged to the peer, the protocol (system-wide and for this peer) and the system.
   *
   * @return the reservation (close it to release), or null if a budget refuses it
   */
  public Reservation reserve(PeerId peer, String protocol, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative reservation " + bytes);
    }
    return locked(
        () -> {
          PeerCounter p = peer(peer);
          Reservation r =
              new Reservation(
                  List.of(p, protocol(protocol), protocolPeer(protocol, peer), system),
                  p,
                  protocol);
          if (!r.reserveLocked(bytes, Priority.HIGH)) {
            r.closeLocked();
            return null;
          }
          return r;
        });
  }

  /**
   * Reserves nothing yet for an answer we asked for with {@code protocol}: the requester reserves
   * each chunk as its length prefix arrives, before the chunk is read (at {@link Priority#LOW}, as
   * a request we make can be made again later, while new streams cannot wait), and closes the
   * reservation when the request ends. Charged to the protocol and the system, not to the peer:
   * what one peer can send is already bounded by what we asked of it and by how many requests we
   * have in flight with it; and charging it to the peer would make an honest large answer compete
   * with its own stream's receive window for the same per-peer budget. What every peer's answers
   * together may hold is what the system budget bounds.
   */
  public Reservation reserveAnswers(String protocol) {
    return locked(() -> new Reservation(List.of(protocol(protocol), system), null, protocol));
  }

  /**
   * Opens the scope of one connection to {@code peer}: its yamux session reserves its streams'
   * windows from it. Connections themselves are counted elsewhere ({@link ConnectionLimits}).
   */
  public ConnectionScope openConnection(PeerId peer) {
    return locked(
        () -> {
          connections++;
          PeerCounter p = peer(peer);
          p.refs++;
          return new ConnectionScope(peer, p);
        });
  }

  /** The result of {@code action}, run under the manager's lock, which guards every counter. */
  private <T> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} under the manager's lock. */
  private void lockedRun(Runnable action) {
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }

  // ---- lock held ----

  private PeerCounter peer(PeerId peer) {
    return peers.computeIfAbsent(
        peer, id -> new PeerCounter(id, limits.peerBytes(), limits.peerStreams()));
  }

  private Counter protocol(String protocol) {
    return protocols.computeIfAbsent(
        protocol, p -> new Counter(limits.protocolBytes(), limits.protocolStreams()));
  }

  private Counter protocolPeer(String protocol, PeerId peer) {
    return protocolPeers.computeIfAbsent(
        new ProtocolPeer(protocol, peer),
        k -> new Counter(Long.MAX_VALUE, limits.protocolPeerStreams()));
  }

  /**
   * Drops counters that hold nothing and nobody refers to, so that usage never leaks a map entry.
   */
  private void tidy(PeerCounter peer, String protocol) {
    if (peer != null && peer.refs == 0 && peer.bytes == 0 && peer.streams == 0) {
      peers.remove(peer.id, peer);
    }
    if (protocol != null) {
      Counter c = protocols.get(protocol);
      if (c != null && c.bytes == 0 && c.streams == 0) {
        protocols.remove(protocol);
      }
      if (peer != null) {
        ProtocolPeer key = new ProtocolPeer(protocol, peer.id);
        Counter pp = protocolPeers.get(key);
        if (pp != null && pp.bytes == 0 && pp.streams == 0) {
          protocolPeers.remove(key);
        }
      }
    }
  }

  /** Bytes and streams of one scope against its limits. Guarded by the manager's lock. */
  private static class Counter {
    final long maxBytes;
    final int maxStreams;
    // Whether other streams draw on this budget too, so low-priority reservations leave room.
    final boolean shared;
    long bytes;
    int streams;

    Counter(long maxBytes, int maxStreams) {
      this(maxBytes, maxStreams, true);
    }

    Counter(long maxBytes, int maxStreams, boolean shared) {
      this.maxBytes = maxBytes;
      this.maxStreams = maxStreams;
      this.shared = shared;
    }

    /** Whether {@code more} bytes fit at {@code priority} (and the sum does not overflow). */
    boolean fits(long more, Priority priority) {
      long after = bytes + more;
      return after >= 0 && after <= (shared ? priority.ceiling(maxBytes) : maxBytes);
    }

    Usage usage() {
      return new Usage(bytes, streams);
    }
  }

  /** A peer's counter, alive while connections or reservations refer to it. */
  private static final class PeerCounter extends Counter {
    final PeerId id;
    int refs;

    PeerCounter(PeerId id, long maxBytes, int maxStreams) {
      super(maxBytes, maxStreams);
      this.id = id;
    }
  }

  /** A scope that gives back what it holds once, on its first {@link #close()}; thread-safe. */
  private abstract class Scope implements AutoCloseable {
    boolean closed; // guarded by the manager's lock

    /** Gives back what the scope holds; called once, with the lock held. */
    abstract void releaseLocked();

    final void closeLocked() {
      if (!closed) {
        closed = true;
        releaseLocked();
      }
    }

    /** Releases everything; idempotent. */
    @Override
    public void close() {
      lockedRun(this::closeLocked);
    }
  }

  /**
   * Bytes held in a chain of scopes, released on {@link #close()}. May grow ({@link #reserve}) and
   * shrink ({@link #release}); thread-safe.
   */
  public final class Reservation extends Scope {
    private List<Counter> chain;
    private final PeerCounter peer;
    private String protocol;
    // Guarded by the manager's lock.
    private long held;

    private Reservation(List<Counter> chain, PeerCounter peer, String protocol) {
      this.chain = chain;
      this.peer = peer;
      this.protocol = protocol;
      if (peer != null) {
        peer.refs++;
      }
    }

    /**
     * Reserves {@code bytes} more at {@link Priority#HIGH}; false, reserving nothing, when a budget
     * would be passed.
     */
    public boolean reserve(long bytes) {
      return reserve(bytes, Priority.HIGH);
    }

    /**
     * Reserves {@code bytes} more at {@code priority}; false, reserving nothing, when a budget (or
     * for {@link Priority#LOW}, its share of a shared budget) would be passed.
     */
    public boolean reserve(long bytes, Priority priority) {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative reservation " + bytes);
      }
      Objects.requireNonNull(priority, "priority");
      return locked(() -> reserveLocked(bytes, priority));
    }

    /** Gives back {@code bytes} of what is held (at most what is held). */
    public void release(long bytes) {
      lockedRun(
          () -> {
            long n = Math.min(Math.max(0, bytes), held);
            for (Counter c : chain) {
              c.bytes -= n;
            }
            held -= n;
          });
    }

    /** Bytes held now. */
    public long held() {
      return locked(() -> held);
    }

    boolean reserveLocked(long bytes, Priority priority) {
      if (closed) {
        return false;
      }
      for (Counter c : chain) {
        if (!c.fits(bytes, priority)) {
          refused++;
          return false;
        }
      }
      for (Counter c : chain) {
        c.bytes += bytes;
      }
      held += bytes;
      peakBytes = Math.max(peakBytes, system.bytes);
      return true;
    }

    @Override
    void releaseLocked() {
      for (Counter c : chain) {
        c.bytes -= held;
      }
      held = 0;
      if (peer != null) {
        peer.refs--;
      }
      tidy(peer, protocol);
    }

    /** Adds scopes above this one (a stream's protocol), charging them what is held; false over. */
    boolean extendLocked(List<Counter> more, String protocol) {
      for (Counter c : more) {
        if (c.bytes + held > c.maxBytes) {
          refused++;
          return false;
        }
      }
      for (Counter c : more) {
        c.bytes += held;
      }
      List<Counter> all = new ArrayList<>(chain);
      all.addAll(more);
      chain = List.copyOf(all);
      this.protocol = protocol;
      return true;
    }
  }

  /** One connection's scope: its streams' memory. Closed when the connection ends. */
  public final class ConnectionScope extends Scope implements YamuxMemory {
    private final PeerId peerId;
    private final PeerCounter peer;
    private final Counter connection = new Counter(limits.connectionBytes(), Integer.MAX_VALUE);

    private ConnectionScope(PeerId peerId, PeerCounter peer) {
      this.peerId = peerId;
      this.peer = peer;
    }

    /** The bytes and streams this connection holds now. */
    public Usage usage() {
      return locked(() -> connection.usage());
    }

    @Override
    public StreamScope openStream(boolean inbound, int initialWindow) {
      return locked(
          () -> {
            if (closed) {
              return null;
            }
            for (Counter c : List.of(connection, peer, system)) {
              if (c.streams >= c.maxStreams) {
                refused++;
                return null;
              }
            }
            StreamScope s = new StreamScope(this);
            if (!s.reservation.reserveLocked(initialWindow, Priority.HIGH)) {
              s.reservation.closeLocked();
              return null;
            }
            connection.streams++;
            peer.streams++;
            system.streams++;
            return s;
          });
    }

    /** The connection ended: its scope no longer refers to the peer. Streams release their own. */
    @Override
    void releaseLocked() {
      connections--;
      peer.refs--;
      tidy(peer, null);
    }
  }

  /**
   * One stream's scope: its receive window, charged to the stream, its connection, its peer, the
   * system and (once tagged) its protocol.
   */
  public final class StreamScope extends Scope implements YamuxMemory.StreamMemory {
    private final ConnectionScope conn;
    // Only this stream draws on it: a low-priority growth may fill it.
    private final Counter stream = new Counter(limits.streamBytes(), 1, false);
    private final Reservation reservation;
    private String protocol; // guarded by the manager's lock

    private StreamScope(ConnectionScope conn) {
      this.conn = conn;
      this.reservation =
          new Reservation(List.of(stream, conn.connection, conn.peer, system), conn.peer, null);
    }

    /**
     * A window growth: a {@link Priority#LOW} reservation, so the connection's, the peer's, the
     * protocol's and the system's budgets keep a quarter for new streams' initial windows.
     */
    @Override
    public boolean grow(long bytes) {
      return reservation.reserve(bytes, Priority.LOW);
    }

    /** Bytes this stream holds now. */
    public long held() {
      return reservation.held();
    }

    /**
     * Tags the stream with its negotiated protocol: it then counts against the protocol's stream
     * limits (system-wide and with this peer), and what it holds is charged to the protocol.
     *
     * @return false when a protocol limit refuses the stream (the caller resets it)
     */
    public boolean setProtocol(String name) {
      return locked(
          () -> {
            if (closed || protocol != null) {
              return !closed && protocol.equals(name);
            }
            Counter p = protocol(name);
            Counter pp = protocolPeer(name, conn.peerId);
            if (p.streams >= p.maxStreams || pp.streams >= pp.maxStreams) {
              refused++;
              tidy(conn.peer, name);
              return false;
            }
            if (!reservation.extendLocked(List.of(p, pp), name)) {
              tidy(conn.peer, name);
              return false;
            }
            p.streams++;
            pp.streams++;
            protocol = name;
            return true;
          });
    }

    @Override
    void releaseLocked() {
      conn.connection.streams--;
      conn.peer.streams--;
      system.streams--;
      if (protocol != null) {
        protocols.get(protocol).streams--;
        protocolPeers.get(new ProtocolPeer(protocol, conn.peerId)).streams--;
      }
      reservation.closeLocked();
    }
  }
}
