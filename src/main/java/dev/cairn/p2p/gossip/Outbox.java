package dev.cairn.p2p.gossip;

import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RPC pieces {@link GossipState} produces while it handles one command, one batch per peer, so
 * that control messages piggyback on one RPC per peer. Stepped on the state's owner thread only.
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

    Rpc build() {
      return new Rpc(subs, messages, new Rpc.Control(ihave, iwant, graft, prune));
    }
  }

  private final GossipPeers peers;
  private final GossipState.Output output;
  private final Map<PeerId, Pending> pending = new LinkedHashMap<>();

  Outbox(GossipPeers peers, GossipState.Output output) {
    this.peers = peers;
    this.output = output;
  }

  /** The batch for {@code id}, created on first use. */
  Pending to(PeerId id) {
    return pending.computeIfAbsent(id, k -> new Pending());
  }

  void drop(PeerId id) {
    pending.remove(id);
  }

  /** Sends each connected peer its batch as one RPC and empties the outbox. */
  void flush() {
    for (Map.Entry<PeerId, Pending> e : pending.entrySet()) {
      GossipPeers.Peer p = peers.get(e.getKey());
      if (p == null || !p.up) {
        continue;
      }
      Pending out = e.getValue();
      if (p.floodsub()) {
        // floodsub peers understand subscriptions and messages only
        out.ihave.clear();
        out.iwant.clear();
        out.graft.clear();
        out.prune.clear();
      }
      Rpc rpc = out.build();
      if (!rpc.isEmpty()) {
        output.send(e.getKey(), rpc);
      }
    }
    pending.clear();
  }
}
