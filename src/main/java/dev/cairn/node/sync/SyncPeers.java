package dev.cairn.node.sync;

import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The peer side of {@link SyncState}: the connected peers of our network and their statuses (hints,
 * asked on connect and every {@link SyncConfig#statusRefresh}), and the refusal of peers of another
 * network or genesis (logged, banned after {@link SyncConfig#refuseGrace}). Owned by the sync owner
 * thread; effects go through {@link SyncOutput}. A peer that leaves the table (disconnected,
 * refused, not a sync peer) is handed to {@code onDropped}.
 *
 * <p>Bounded by the host's connection limits: one entry per connected peer, one refusal or identify
 * wait per peer that was connected.
 */
final class SyncPeers {
  private static final Logger LOG = LogManager.getLogger(SyncManager.class);

  /** What sync knows of one connected peer of our network. Owner thread only. */
  static final class Peer {
    final PeerId id;
    Status status;
    long statusAt;
    boolean statusInFlight;
    long avoidUntil;
    int inFlight;
    long presyncStartedAt = Long.MIN_VALUE;
    HeaderPresync presync;

    /** The work this peer's headers showed when its chain ended, for the head it announced. */
    BigInteger endedWork;

    Hash endedHead;

    Peer(PeerId id) {
      this.id = id;
    }

    /** Not a sync source before {@code until} (the later of this and an earlier cool-down). */
    void avoid(long until) {
      avoidUntil = Math.max(avoidUntil, until);
    }

    /** Whether this peer is cooling down at {@code now}. */
    boolean avoided(long now) {
      return now < avoidUntil;
    }

    /** The work the peer claims: its status, capped where its headers ended for that head. */
    BigInteger claim() {
      if (status == null) {
        return BigInteger.ZERO;
      }
      if (endedWork != null && status.head().equals(endedHead)) {
        return endedWork.min(status.cumulativeWork());
      }
      return status.cumulativeWork();
    }
  }

  private record Refusal(long banAt, String reason) {}

  private final SyncConfig config;
  private final String network;
  private final Clock clock;
  private final SyncOutput out;
  private final SyncCounters counters;
  private final Consumer<Peer> onDropped;
  private final Map<PeerId, Peer> peers = new HashMap<>();
  private final Map<PeerId, Refusal> refusing = new HashMap<>();

  /**
   * Peers that do not speak our status protocol and whose identify had not arrived yet: checked on
   * each tick until identify tells their network or {@link SyncState#IDENTIFY_WAIT_MILLIS} passes.
   */
  private final Map<PeerId, Long> awaitingIdentify = new HashMap<>();

  SyncPeers(
      SyncConfig config,
      String network,
      Clock clock,
      SyncOutput out,
      SyncCounters counters,
      Consumer<Peer> onDropped) {
    this.config = config;
    this.network = network;
    this.clock = clock;
    this.out = out;
    this.counters = counters;
    this.onDropped = onDropped;
  }

  /** The peer, or null if it is not (or no longer) in the table. */
  Peer get(PeerId peer) {
    return peers.get(peer);
  }

  /** Every peer in the table (a live view: do not add or remove while iterating). */
  Collection<Peer> all() {
    return peers.values();
  }

  /** A peer answered our status request. */
  void statusAnswered(PeerId peer, Status s) {
    counters.increment(SyncCounter.STATUS_ANSWERS);
    Peer p = peers.get(peer);
    if (p != null) {
      p.statusInFlight = false;
    }
    status(peer, s);
  }

  /** Sends our status to every peer not already being asked (our head moved a lot). */
  void requestAllStatuses() {
    for (Peer q : peers.values()) {
      if (!q.statusInFlight) {
        requestStatus(q);
      }
    }
  }

  /** Identify waits, refusal bans and status refreshes that are due. */
  void tick(long now) {
    for (Iterator<Map.Entry<PeerId, Long>> it = awaitingIdentify.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<PeerId, Long> w = it.next();
      if (!out.isConnected(w.getKey()) || checkOtherNetwork(w.getKey()) || now > w.getValue()) {
        it.remove();
      }
    }
    for (Iterator<Map.Entry<PeerId, Refusal>> it = refusing.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PeerId, Refusal> r = it.next();
      if (now >= r.getValue().banAt()) {
        out.ban(r.getKey(), config.refusedBan(), r.getValue().reason());
        it.remove();
      }
    }
    long refresh = config.statusRefresh().toMillis();
    for (Peer p : peers.values()) {
      if (!p.statusInFlight && now - p.statusAt > refresh) {
        requestStatus(p);
      }
    }
  }

  void connected(PeerId peer) {
    if (refusing.containsKey(peer) || !out.isConnected(peer)) {
      return;
    }
    Peer p = peers.computeIfAbsent(peer, Peer::new);
    if (!p.statusInFlight) {
      requestStatus(p);
    }
  }

  void disconnected(PeerId peer) {
    Peer p = peers.remove(peer);
    if (p != null) {
      onDropped.accept(p);
    }
    // A refused peer that left during the grace (often because it refused us first) is banned
    // now: forgetting the refusal would let it straight back in.
    Refusal r = refusing.remove(peer);
    if (r != null) {
      out.ban(peer, config.refusedBan(), r.reason());
    }
  }

  void requestStatus(Peer p) {
    p.statusInFlight = true;
    p.statusAt = clock.millis();
    out.requestStatus(p.id);
  }

  void status(PeerId peer, Status s) {
    String why = mismatch(s);
    if (why != null) {
      refuse(peer, why);
      return;
    }
    if (!out.isConnected(peer) || refusing.containsKey(peer)) {
      return;
    }
    Peer p = peers.computeIfAbsent(peer, Peer::new);
    p.status = s;
    p.statusAt = clock.millis();
  }

  private String mismatch(Status s) {
    if (!s.network().equals(network)) {
      return "network " + s.network() + " differs from ours " + network;
    }
    Hash genesis = out.chain().genesis();
    if (!s.genesis().equals(genesis)) {
      return "genesis " + s.genesis() + " differs from ours " + genesis;
    }
    return null;
  }

  void statusFailed(PeerId peer, SyncFailure f) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.statusInFlight = false;
    }
    LOG.debug("Status from {} failed: {}", peer.shortString(), f.getMessage());
    penalise(peer, f);
    if (f.kind() == SyncFailure.Kind.NOT_SUPPORTED) {
      // Not a sync peer of our network. If identify shows it syncs another one, say so and refuse;
      // if identify has not answered yet, look again on the next ticks.
      dropPeer(peer);
      if (!checkOtherNetwork(peer)) {
        awaitingIdentify.put(peer, clock.millis() + SyncState.IDENTIFY_WAIT_MILLIS);
      }
    }
  }

  /** Refuses {@code peer} if identify shows another network; false while identify is silent. */
  private boolean checkOtherNetwork(PeerId peer) {
    String other = out.identifiedNetwork(peer);
    if (other == null) {
      return false;
    }
    if (!other.isEmpty() && !other.equals(network)) {
      refuse(peer, "network " + other + " differs from ours " + network);
    }
    return true;
  }

  private void refuse(PeerId peer, String reason) {
    dropPeer(peer);
    if (refusing.containsKey(peer)) {
      return;
    }
    counters.increment(SyncCounter.REFUSALS);
    LOG.info("Refusing peer {}: {}", peer, reason);
    refusing.put(peer, new Refusal(clock.millis() + config.refuseGrace().toMillis(), reason));
  }

  private void dropPeer(PeerId peer) {
    Peer p = peers.remove(peer);
    if (p != null) {
      onDropped.accept(p);
    }
  }

  /** What a failed request costs {@code peer}, as its kind says; counted. */
  void penalise(PeerId peer, SyncFailure f) {
    if (f.kind() == SyncFailure.Kind.INVALID) {
      counters.increment(SyncCounter.INVALID_RESPONSES);
    } else if (f.kind() == SyncFailure.Kind.TIMEOUT) {
      counters.increment(SyncCounter.TIMEOUTS);
    }
    if (f.kind().penalty() > 0) {
      LOG.debug("Sync: penalising {}: {}", peer.shortString(), f.getMessage());
      out.penalize(peer, f.kind().penalty(), "sync: " + f.getMessage());
    }
  }
}
