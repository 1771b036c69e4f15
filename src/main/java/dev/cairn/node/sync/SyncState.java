package dev.cairn.node.sync;

import dev.cairn.chain.ChainView;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.SyncPeers.Peer;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.time.Clock;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sync's logic: statuses and refusals, headers-first presync of the peers that announce more work
 * than ours, the choice of a sync source by work its headers proved, the body download of that
 * header chain, and what each peer pays for what it could not show. A plain class stepped by {@link
 * #handle} on one thread ({@link SyncManager}'s owner in production, the test thread in tests),
 * reading time from an injected {@link Clock}; effects leave through {@link SyncOutput}.
 *
 * <p><b>A status is a hint.</b> A peer whose status claims more work than ours gets a {@link
 * HeaderPresync} (at most {@link SyncConfig#presyncPeers} at once, the least recently tried first):
 * its headers after our locator are fetched chunk by chunk and checked ({@code HeaderChainCheck})
 * until the chain they show has more work than our head and at least the network's {@code
 * minimumChainWork}, or its budget of {@link SyncConfig#presyncHeaders} is full. Only a chain
 * proven that way is downloaded: the proven presync with the most work becomes the source, its
 * verified headers are cut into batches fetched by hash from the source and the peers that announce
 * more work than we had, and imported in order as requested blocks. A presync that proves more work
 * than the source has shown and claims replaces it.
 *
 * <p><b>What a peer pays.</b> Announcing work it cannot show (no headers while claiming more work
 * than ours, headers that end below its claim and our work, "unavailable" for bodies of the header
 * chain it sent, invalid headers) costs {@link #UNPROVEN_WORK_PENALTY} standing (invalid data costs
 * {@link SyncFailure.Kind#INVALID}'s), drops it as a source for {@link SyncConfig#peerCooldown},
 * and the {@value #MAX_UNPROVEN}th time bans it. Our own rules (an import the chain ignored, a busy
 * chain, a full budget, a header from the future) never count against a peer.
 *
 * <p><b>Its parts.</b> {@link SyncPeers} keeps the peer table, statuses and refusals; {@link
 * PresyncTurns} the presyncs, the choice of the source and what a peer pays; {@link SyncRound} the
 * body download, its stall and import; {@link OrphanFetches} the ancestor fetches of orphan blocks;
 * {@link SyncProgress} the rate and the snapshot. This class routes each event to its part and then
 * takes one turn; the parts share a {@link SyncContext}.
 */
final class SyncState {
  /** The logger of the sync component (README quotes its lines as {@code SyncManager}'s). */
  private static final Logger LOG = LogManager.getLogger(SyncManager.class);

  /** Most headers asked for in one request. */
  static final int HEADERS_PER_REQUEST = SyncCodec.MAX_HEADERS;

  /** Standing a peer loses each time it announces work it cannot show. */
  static final int UNPROVEN_WORK_PENALTY = 25;

  /** Unproven announcements that get a peer banned (for {@link SyncConfig#refusedBan}). */
  static final int MAX_UNPROVEN = 3;

  /** Wait before retrying a source whose round our own rules ended (no fault of the peer). */
  static final long OWN_RULE_RETRY_MILLIS = 5_000;

  /** How long a peer that does not speak our status protocol may take to identify itself. */
  static final long IDENTIFY_WAIT_MILLIS = 10_000;

  private final Clock clock;
  private final SyncOutput out;
  private final SyncPeers peers;
  private final SyncRound round;
  private final PresyncTurns presyncs;
  private final OrphanFetches orphans;
  private final SyncProgress progress;

  /** Ids of header requests and rounds, one sequence for both. */
  private long seq;

  private boolean wasSyncing;

  SyncState(
      SyncConfig config,
      NetworkParams params,
      String network,
      Clock clock,
      SyncOutput out,
      SyncCounters counters) {
    this.clock = clock;
    this.out = out;
    this.peers = new SyncPeers(config, network, clock, out, counters, this::dropped);
    SyncContext ctx = new SyncContext(config, params, clock, out, counters, peers);
    this.round = new SyncRound(ctx, this::nextId, this::unproven);
    this.presyncs = new PresyncTurns(ctx, round, this::nextId);
    this.orphans = new OrphanFetches(peers, out);
    this.progress = new SyncProgress(ctx);
  }

  private long nextId() {
    return ++seq;
  }

  private void unproven(Peer p, String what) {
    presyncs.unproven(p, what);
  }

  /** A peer left the table: its round, if it was the source, ends. */
  private void dropped(Peer p) {
    if (round.isSource(p.presync)) {
      round.abandon("the source " + p.id.shortString() + " left", 0);
    }
  }

  // ---- the mailbox

  /** Handles one event, then does what the new state allows. */
  void handle(SyncEvent e) {
    switch (e) {
      case SyncEvent.Connected(PeerId peer) -> peers.connected(peer);
      case SyncEvent.Disconnected(PeerId peer) -> peers.disconnected(peer);
      case SyncEvent.StatusIn(PeerId peer, Status s) -> peers.status(peer, s);
      case SyncEvent.StatusOut(PeerId peer, Status s) -> peers.statusAnswered(peer, s);
      case SyncEvent.StatusFailed(PeerId peer, SyncFailure f) -> peers.statusFailed(peer, f);
      case SyncEvent.Headers h -> presyncs.onHeaders(h);
      case SyncEvent.HeadersFailed(long id, PeerId peer, SyncFailure f) ->
          presyncs.onHeadersFailed(id, peer, f);
      case SyncEvent.BatchDone(long id, int index, PeerId peer, List<Block> blocks) ->
          round.batchDone(id, index, peer, blocks);
      case SyncEvent.BatchFailed(long id, int index, PeerId peer, SyncFailure f) ->
          round.batchFailed(id, index, peer, f);
      case SyncEvent.Imported(long id, int index, int blocks) -> round.imported(id, index, blocks);
      case SyncEvent.ImportFailed(long id, int index, String reason, boolean peerFault) ->
          round.importFailed(id, index, reason, peerFault);
      case SyncEvent.Orphan(PeerId peer, Hash wanted) -> {
        if (!round.running()) {
          orphans.fetch(peer, wanted);
        }
      }
      case SyncEvent.OrphanDone(PeerId peer, Hash wanted, boolean deeper) ->
          orphans.done(peer, wanted, deeper);
      case SyncEvent.Tick() -> tick();
    }
    step();
  }

  private void tick() {
    long now = clock.millis();
    peers.tick(now);
    round.checkStall(now);
    progress.tick(now, round);
  }

  /** One turn: presyncs and the choice of source, then the round's download. */
  private void step() {
    long now = clock.millis();
    BigInteger ours = out.chain().cumulativeWork();
    if (presyncs.turn(now, ours)) {
      wasSyncing = true;
    }
    if (round.running()) {
      round.download();
    } else if (wasSyncing && presyncs.running() == 0) {
      wasSyncing = false;
      ChainView v = out.chain();
      LOG.info("Sync: up to date at height {} ({})", v.height(), v.headHash());
    }
  }

  /** Progress for the API and logs. */
  SyncStatus snapshot() {
    return progress.snapshot(round);
  }

  // ---- for tests

  /** Asks for at most {@code n} headers per request (tests ask for fewer, to see a chain grow). */
  void headersPerRequest(int n) {
    presyncs.headersPerRequest = n;
  }

  /** Headers held for {@code peer}'s presync (0 if none). */
  int presyncHeld(PeerId peer) {
    Peer p = peers.get(peer);
    return p == null || p.presync == null ? 0 : p.presync.held();
  }

  /** The peer whose header chain is being downloaded, or null. */
  PeerId source() {
    HeaderPresync src = round.source();
    return src == null ? null : src.peer;
  }

  /** The work the source's verified headers reach, or null without a round. */
  BigInteger sourceWork() {
    HeaderPresync src = round.source();
    return src == null ? null : src.work();
  }

  /** Whether {@code peer} is cooling down (not a sync source). */
  boolean avoided(PeerId peer) {
    Peer p = peers.get(peer);
    return p != null && p.avoided(clock.millis());
  }
}
