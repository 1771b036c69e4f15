package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RPC pieces {@link GossipState} produces while it handles one command, one batch per peer, so
 * that control messages piggyback on one RPC per peer. Stepped on the state's owner thread only.
 *
 * <p>A peer we know (from its own stream to us, or because we are opening ours) whose stream from
 * us is still opening gets its pieces <em>held</em> rather than lost: they are sent, in order, when
 * the stream opens ({@link #release}) and dropped if it fails or the peer leaves ({@link #drop}).
 * Bound: {@link GossipConfig#maxHeldBytes()} per peer; a piece that does not fit is dropped and
 * counted ({@link GossipStats#heldDropped()}), nothing is kept past the bound.
 */
final class Outbox {

  /** Outgoing pieces for one peer during one command. */
  static final class Pending {
    final List<Rpc.SubOpts> subs = new ArrayList<>();
    final List<Rpc.Message> messages = new ArrayList<>();
    final List<Rpc.IHave> ihave = new ArrayList<>();
    final List<Rpc.IWant> iwant = new ArrayList<>();
    final List<Rpc.Graft> graft = new ArrayList<>();
    final List<Rpc.Prune> prune = new ArrayList<>();
    final List<Rpc.IDontWant> idontwant = new ArrayList<>();

    Rpc build() {
      return new Rpc(subs, messages, new Rpc.Control(ihave, iwant, graft, prune, idontwant));
    }

    /** Everything but the messages, as one RPC (held or dropped as a whole). */
    Rpc rest() {
      return new Rpc(subs, List.of(), new Rpc.Control(ihave, iwant, graft, prune, idontwant));
    }

    void addRest(Rpc rpc) {
      subs.addAll(rpc.subscriptions());
      ihave.addAll(rpc.control().ihave());
      iwant.addAll(rpc.control().iwant());
      graft.addAll(rpc.control().graft());
      prune.addAll(rpc.control().prune());
      idontwant.addAll(rpc.control().idontwant());
    }
  }

  /** Pieces held for a peer whose stream from us is opening, and their bytes. */
  private static final class Held {
    final Pending batch = new Pending();
    long bytes;
  }

  private final GossipPeers peers;
  private final GossipState.Output output;
  private final long maxHeldBytes;
  private final GossipCounters counters;
  private final Map<PeerId, Pending> pending = new LinkedHashMap<>();
  private final Map<PeerId, Held> held = new HashMap<>();
  private long heldBytes; // the sum of every Held's bytes

  Outbox(GossipPeers peers, GossipState.Output output, long maxHeldBytes, GossipCounters counters) {
    this.peers = peers;
    this.output = output;
    this.maxHeldBytes = maxHeldBytes;
    this.counters = counters;
  }

  /** The batch for {@code id}, created on first use. */
  Pending to(PeerId id) {
    return pending.computeIfAbsent(id, k -> new Pending());
  }

  /** Forgets everything pending or held for {@code id} (it left, or our stream to it failed). */
  void drop(PeerId id) {
    pending.remove(id);
    forget(held.remove(id));
  }

  private void forget(Held h) {
    if (h != null) {
      heldBytes -= h.bytes;
    }
  }

  /** Our stream to {@code id} opened: what was held for it goes out with this command's batch. */
  void release(PeerId id) {
    Held h = held.remove(id);
    if (h == null) {
      return;
    }
    forget(h);
    Pending now = pending.remove(id);
    pending.put(id, h.batch);
    if (now != null) {
      h.batch.messages.addAll(now.messages);
      h.batch.addRest(now.rest());
    }
  }

  /** Bytes held for all peers together. */
  long heldBytes() {
    return heldBytes;
  }

  /** Bytes held for {@code id} (tests). */
  long heldBytes(PeerId id) {
    Held h = held.get(id);
    return h == null ? 0 : h.bytes;
  }

  /**
   * Sends each connected peer its batch as one RPC, holds the batches of peers whose stream is
   * opening, and empties the outbox.
   */
  void flush() {
    for (Map.Entry<PeerId, Pending> e : pending.entrySet()) {
      GossipPeers.Peer p = peers.get(e.getKey());
      if (p == null) {
        continue;
      }
      Pending out = e.getValue();
      if (!p.up) {
        if (p.opening) {
          hold(e.getKey(), out);
        }
        continue;
      }
      if (p.floodsub()) {
        // floodsub peers understand subscriptions and messages only
        out.ihave.clear();
        out.iwant.clear();
        out.graft.clear();
        out.prune.clear();
        out.idontwant.clear();
      } else if (!p.v12()) {
        out.idontwant.clear(); // only /meshsub/1.2.0 knows IDONTWANT
      }
      Rpc rpc = out.build();
      if (!rpc.isEmpty()) {
        output.send(e.getKey(), rpc);
      }
    }
    pending.clear();
  }

  private void hold(PeerId id, Pending out) {
    Held h = held.computeIfAbsent(id, k -> new Held());
    for (Rpc.Message m : out.messages) {
      long size = Rpc.ofMessage(m).wireSize();
      if (h.bytes + size > maxHeldBytes) {
        counters.heldDropped.incrementAndGet();
        counters.heldDroppedBytes.addAndGet(size);
        continue;
      }
      h.batch.messages.add(m);
      h.bytes += size;
      heldBytes += size;
    }
    Rpc rest = out.rest();
    if (!rest.isEmpty()) {
      long size = rest.wireSize();
      if (h.bytes + size > maxHeldBytes) {
        counters.heldDropped.incrementAndGet();
        counters.heldDroppedBytes.addAndGet(size);
      } else {
        h.batch.addRest(rest);
        h.bytes += size;
        heldBytes += size;
      }
    }
    if (h.bytes == 0 && h.batch.build().isEmpty()) {
      held.remove(id);
    }
  }
}
