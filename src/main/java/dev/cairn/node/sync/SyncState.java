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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Over 600 lines on purpose for now: it is split along its seams (peer choice and presync turns,
 * and the batch download and import handlers (SyncPeers, HeaderPresync and BodyDownload are already
 * split out)) by issue t2-E (the owner redesign), which rewrites every owner at once; splitting it
 * here first would be done twice.
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

  /** Peers whose unproven announcements we remember across reconnects (oldest forgotten). */
  static final int MAX_REMEMBERED = 1024;

  /** Most orphan-ancestor fetches at once; more orphans wait for the next sync round. */
  static final int MAX_ORPHAN_FETCHES = 4;

  /** Wait before retrying a source whose round our own rules ended (no fault of the peer). */
  static final long OWN_RULE_RETRY_MILLIS = 5_000;

  /** How long a peer that does not speak our status protocol may take to identify itself. */
  static final long IDENTIFY_WAIT_MILLIS = 10_000;

  private final SyncConfig config;
  private final NetworkParams params;
  private final String network;
  private final Clock clock;
  private final SyncOutput out;
  private final SyncCounters counters;

  private final SyncPeers peers;
  private final Set<Hash> orphanFetches = new HashSet<>();

  /** Unproven announcements per peer, kept across reconnects (bounded, least recent dropped). */
  private final Map<PeerId, Integer> unproven =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Integer> e) {
          return size() > MAX_REMEMBERED;
        }
      };

  /** Most headers asked for in one request (tests ask for fewer, to see a chain grow). */
  int headersPerRequest = HEADERS_PER_REQUEST;

  private BodyDownload job;
  private long seq;
  private boolean importerBusy;
  private boolean wasSyncing;
  private long lastLogMillis;
  private long importedAtLastLog;
  private double rate;

  SyncState(
      SyncConfig config,
      NetworkParams params,
      String network,
      Clock clock,
      SyncOutput out,
      SyncCounters counters) {
    this.config = config;
    this.params = params;
    this.network = network;
    this.clock = clock;
    this.out = out;
    this.counters = counters;
    this.lastLogMillis = clock.millis();
    this.peers = new SyncPeers(config, network, clock, out, counters, this::dropped);
  }

  /** A peer left the table: its round, if it was the source, ends. */
  private void dropped(Peer p) {
    if (job != null && job.source == p.presync) {
      abandon("the source " + p.id.shortString() + " left", 0);
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
      case SyncEvent.Headers h -> onHeaders(h);
      case SyncEvent.HeadersFailed(long id, PeerId peer, SyncFailure f) ->
          onHeadersFailed(id, peer, f);
      case SyncEvent.BatchDone(long id, int index, PeerId peer, List<Block> blocks) ->
          onBatchDone(id, index, peer, blocks);
      case SyncEvent.BatchFailed(long id, int index, PeerId peer, SyncFailure f) -> {
        peers.penalise(peer, f);
        BodyDownload.Batch b = release(id, index, peer);
        if (b != null) {
          onBatchFailed(b, peer, f);
        }
      }
      case SyncEvent.Imported(long id, int index, int blocks) -> onImported(id, index, blocks);
      case SyncEvent.ImportFailed(long id, int index, String reason, boolean peerFault) ->
          onImportFailed(id, index, reason, peerFault);
      case SyncEvent.Orphan(PeerId peer, Hash wanted) -> {
        if (job == null && orphanFetches.size() < MAX_ORPHAN_FETCHES && orphanFetches.add(wanted)) {
          out.fetchAncestors(peer, wanted);
        }
      }
      case SyncEvent.OrphanDone(PeerId peer, Hash wanted, boolean deeper) -> {
        orphanFetches.remove(wanted);
        Peer p = peers.get(peer);
        if (deeper && p != null && !p.statusInFlight) {
          peers.requestStatus(p); // a long gap: let a sync round fetch it
        }
      }
      case SyncEvent.Tick() -> tick();
    }
    step();
  }

  // ---- time

  private void tick() {
    long now = clock.millis();
    peers.tick(now);
    if (job != null && now - job.lastProgress > config.stallTimeout().toMillis()) {
      stalled(now);
    }
    long elapsed = now - lastLogMillis;
    if (elapsed >= config.progressLogInterval().toMillis()) {
      long imported = counters.blocksImported.sum();
      rate = elapsed == 0 ? 0 : (imported - importedAtLastLog) * 1e3 / elapsed;
      importedAtLastLog = imported;
      lastLogMillis = now;
      if (job != null) {
        SyncStatus s = snapshot();
        LOG.info(
            "Sync: height {} of {}, {} blocks/s, {} peers, ETA {}",
            s.headHeight(),
            s.targetHeight(),
            String.format(java.util.Locale.ROOT, "%.1f", s.blocksPerSecond()),
            s.peers(),
            s.etaSeconds() < 0 ? "unknown" : s.etaSeconds() + "s");
      }
    }
  }

  private void stalled(long now) {
    counters.stalls.increment();
    LOG.warn(
        "Sync: no progress for {}s at height {}; restarting the round",
        config.stallTimeout().toSeconds(),
        out.chain().height());
    for (BodyDownload.Batch b : job.batches) {
      if (b.state == BodyDownload.State.REQUESTED && b.peer != null) {
        out.penalize(b.peer, SyncFailure.Kind.TIMEOUT.penalty(), "sync: late batch");
        avoid(b.peer, now + config.peerCooldown().toMillis());
      }
    }
    abandon(null, 0);
  }

  private void avoid(PeerId peer, long until) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.avoidUntil = Math.max(p.avoidUntil, until);
    }
  }

  private boolean avoided(Peer p, long now) {
    return now < p.avoidUntil;
  }

  // ---- what to do next

  private BigInteger ourWork() {
    return out.chain().cumulativeWork();
  }

  /** A presync whose chain beats our head's work and the network's minimum. */
  private boolean proven(HeaderPresync ps, BigInteger ours) {
    BigInteger w = ps.work();
    return w != null && w.compareTo(ours) > 0 && w.compareTo(params.minimumChainWork()) >= 0;
  }

  /** A peer's claim is a reason to look at its headers: more work than ours and the minimum. */
  private boolean worthPresync(Peer p, BigInteger ours) {
    BigInteger c = p.claim();
    return c.compareTo(ours) > 0 && c.compareTo(params.minimumChainWork()) >= 0;
  }

  private void step() {
    long now = clock.millis();
    BigInteger ours = ourWork();
    // Presyncs with nothing left to show us go; their memory with them.
    for (Peer p : peers.all()) {
      HeaderPresync ps = p.presync;
      if (ps != null
          && ps.request == 0
          && (job == null || job.source != ps)
          && !proven(ps, ours)
          && (ps.ended || !worthPresync(p, ours) || avoided(p, now))) {
        p.presync = null;
      }
    }
    chooseSource(ours);
    startPresyncs(now, ours);
    for (Peer p : peers.all()) {
      HeaderPresync ps = p.presync;
      if (ps == null || ps.request != 0 || ps.ended) {
        continue;
      }
      boolean source = job != null && job.source == ps;
      if (source ? ps.readyCount() < headersPerRequest : !proven(ps, ours)) {
        requestHeaders(p, ps);
      }
    }
    if (job != null) {
      download();
    } else if (wasSyncing && presyncing() == 0) {
      wasSyncing = false;
      ChainView v = out.chain();
      LOG.info("Sync: up to date at height {} ({})", v.height(), v.headHash());
    }
  }

  private int presyncing() {
    int n = 0;
    for (Peer p : peers.all()) {
      if (p.presync != null) {
        n++;
      }
    }
    return n;
  }

  /** The proven presync with the most work downloads; one with more than the source replaces it. */
  private void chooseSource(BigInteger ours) {
    HeaderPresync best = null;
    for (Peer p : peers.all()) {
      HeaderPresync ps = p.presync;
      if (ps != null
          && proven(ps, ours)
          && (best == null || ps.work().compareTo(best.work()) > 0)) {
        best = ps;
      }
    }
    if (best == null || (job != null && job.source == best)) {
      return;
    }
    if (job != null) {
      Peer src = peers.get(job.source.peer);
      BigInteger shown = job.source.work().max(src == null ? BigInteger.ZERO : src.claim());
      if (best.work().compareTo(shown) <= 0) {
        return;
      }
      LOG.info(
          "Sync: {} shows a chain with more work ({}) than {} ({}); syncing from it instead",
          best.peer.shortString(),
          best.work(),
          job.source.peer.shortString(),
          shown);
      abandon(null, 0);
    }
    startJob(best, ours);
  }

  private void startPresyncs(long now, BigInteger ours) {
    int running = presyncing();
    if (running >= config.presyncPeers()) {
      return;
    }
    List<Peer> candidates = new ArrayList<>();
    for (Peer p : peers.all()) {
      if (p.presync == null && !avoided(p, now) && worthPresync(p, ours)) {
        candidates.add(p);
      }
    }
    candidates.sort(
        Comparator.comparingLong((Peer p) -> p.presyncStartedAt)
            .thenComparing(Peer::claim, Comparator.reverseOrder()));
    for (Peer p : candidates) {
      if (running++ >= config.presyncPeers()) {
        break;
      }
      p.presync = new HeaderPresync(p.id);
      p.presyncStartedAt = now;
      wasSyncing = true;
      LOG.debug(
          "Sync: checking the headers of {} (announces height {}, work {}; ours {})",
          p.id.shortString(),
          p.status.height(),
          p.status.cumulativeWork(),
          ours);
    }
  }

  private void requestHeaders(Peer p, HeaderPresync ps) {
    int room = ps.room(config.presyncHeaders());
    if (room == 0) {
      // Our budget, not the peer's fault: it may well have the work, beyond what we hold.
      LOG.debug(
          "Sync: {}'s header chain needs more than {} headers to show more work than ours;"
              + " dropped for now",
          p.id.shortString(),
          config.presyncHeaders());
      dropPresync(p, clock.millis() + config.peerCooldown().toMillis());
      return;
    }
    ps.request = ++seq;
    out.requestHeaders(ps.request, p.id, ps.after(), Math.min(room, headersPerRequest));
  }

  private void dropPresync(Peer p, long avoidUntil) {
    if (p.presync != null && job != null && job.source == p.presync) {
      abandon(null, 0);
    }
    p.presync = null;
    p.avoidUntil = Math.max(p.avoidUntil, avoidUntil);
  }

  // ---- headers

  private void onHeaders(SyncEvent.Headers e) {
    Peer p = peers.get(e.peer());
    HeaderPresync ps = p == null ? null : p.presync;
    if (ps == null || ps.request != e.request()) {
      return;
    }
    ps.request = 0;
    BigInteger ours = ourWork();
    long now = clock.millis();
    HeaderPresync.Step step = ps.accept(e.headers(), e.asked(), e.fork(), params, now);
    switch (step) {
      case EMPTY -> {
        if (p.claim().compareTo(ours) > 0) {
          unproven(p, "announced work " + p.claim() + " but sent no headers after our locator");
        } else {
          p.presync = null;
        }
        return;
      }
      case INVALID -> {
        counters.invalidResponses.increment();
        out.penalize(p.id, SyncFailure.Kind.INVALID.penalty(), "sync: invalid header chain");
        unproven(p, "sent an invalid header chain: " + ps.detail);
        return;
      }
      case UNKNOWN_FORK -> {
        LOG.debug("Sync: headers from {}: {}", p.id.shortString(), ps.detail);
        dropPresync(p, now + OWN_RULE_RETRY_MILLIS);
        return;
      }
      case MOVED -> {
        // Its chain changed under us (a reorg): start again from the new fork point.
        if (job != null && job.source == ps) {
          abandon(null, 0);
          return;
        }
        if (ps.moves > MAX_UNPROVEN) {
          dropPresync(p, now + config.peerCooldown().toMillis());
          return;
        }
      }
      case FUTURE -> LOG.debug("Sync: headers from {}: {}", p.id.shortString(), ps.detail);
      case EXTENDED -> {}
    }
    if (!e.headers().isEmpty()) {
      LOG.debug(
          "Sync: {} headers from {} (heights {}..{}), its chain now at work {}",
          e.headers().size(),
          p.id.shortString(),
          e.headers().getFirst().height(),
          e.headers().getLast().height(),
          ps.work());
    }
    if (ps.ended) {
      // Its chain ends here. Ending below what it announced is a lie only if it leaves nothing
      // for us: a chain with more work than ours is still worth having.
      if (step != HeaderPresync.Step.FUTURE
          && ps.work().compareTo(p.claim()) < 0
          && ps.work().compareTo(ours) <= 0) {
        unproven(
            p,
            "announced work "
                + p.claim()
                + " but its headers end at "
                + ps.work()
                + ", not above ours "
                + ours);
        return;
      }
      // Until it announces another head, it claims no more than it showed.
      p.endedWork = ps.work();
      p.endedHead = p.status.head();
    }
  }

  private void onHeadersFailed(long id, PeerId peer, SyncFailure f) {
    peers.penalise(peer, f);
    Peer p = peers.get(peer);
    if (p == null || p.presync == null || p.presync.request != id) {
      return;
    }
    p.presync.request = 0;
    LOG.debug("Sync: headers from {} failed: {}", peer.shortString(), f.getMessage());
    if (f.kind() == SyncFailure.Kind.INVALID) {
      unproven(p, "sent bad headers: " + f.getMessage());
    } else {
      dropPresync(p, clock.millis() + config.peerCooldown().toMillis());
    }
  }

  /**
   * {@code p} announced work it could not show: it pays, is dropped as a source for the cool-down,
   * and is banned the {@value #MAX_UNPROVEN}th time.
   */
  private void unproven(Peer p, String what) {
    counters.unproven.increment();
    int n = unproven.merge(p.id, 1, Integer::sum);
    LOG.info(
        "Sync: peer {} {}; not a sync source for {}s",
        p.id,
        what,
        config.peerCooldown().toSeconds());
    out.penalize(p.id, UNPROVEN_WORK_PENALTY, "sync: " + what);
    dropPresync(p, clock.millis() + config.peerCooldown().toMillis());
    if (n >= MAX_UNPROVEN) {
      unproven.remove(p.id);
      out.ban(p.id, config.refusedBan(), "sync: announced work it could not show " + n + " times");
    }
  }

  // ---- bodies

  private void startJob(HeaderPresync source, BigInteger ours) {
    Peer p = peers.get(source.peer);
    long target = Math.max(source.tipHeight(), p.status == null ? 0 : p.status.height());
    job = new BodyDownload(++seq, source, ours, target, clock.millis());
    wasSyncing = true;
    LOG.debug(
        "Sync round {} from {}: fork at height {}, headers to {} with work {} (ours {})",
        job.id,
        source.peer.shortString(),
        source.forkHeight(),
        source.tipHeight(),
        source.work(),
        ours);
  }

  /**
   * Ends the round. {@code reason} (null: say nothing) is logged; the source is not asked again for
   * {@code retryMillis}.
   */
  private void abandon(String reason, long retryMillis) {
    BodyDownload j = job;
    job = null;
    Peer src = peers.get(j.source.peer);
    if (reason != null) {
      LOG.info("Sync: abandoning the round from {}: {}", j.source.peer.shortString(), reason);
    }
    if (src != null && src.presync == j.source) {
      src.presync = null;
      src.avoidUntil = Math.max(src.avoidUntil, clock.millis() + retryMillis);
    }
  }

  private void download() {
    HeaderPresync src = job.source;
    job.fill(src, config.batchSize(), config.maxBufferedBatches());
    job.targetHeight = Math.max(job.targetHeight, src.tipHeight());
    schedule();
    maybeImport();
    if (job != null
        && job.nextImport == job.batches.size()
        && src.readyCount() == 0
        && src.ended
        && src.request == 0
        && !importerBusy) {
      LOG.debug("Sync round {} done at height {}", job.id, out.chain().height());
      Peer p = peers.get(src.peer);
      if (p != null) {
        p.presync = null;
      }
      job = null;
      // Our status goes with each status request: peers behind us learn of our new head now
      // rather than at their next refresh (blocks we synced are not gossiped).
      peers.requestAllStatuses();
    }
  }

  private void schedule() {
    long now = clock.millis();
    for (int i = job.nextImport; i < job.batches.size(); i++) {
      if (job.inFlight >= config.maxBatchesInFlight()) {
        return;
      }
      BodyDownload.Batch b = job.batches.get(i);
      if (b.state != BodyDownload.State.PENDING) {
        continue;
      }
      Peer p = pickPeer(b, now);
      if (p == null) {
        return;
      }
      b.state = BodyDownload.State.REQUESTED;
      b.peer = p.id;
      b.attempts++;
      p.inFlight++;
      job.inFlight++;
      out.requestBlocks(job.id, b.index, p.id, b.remaining());
    }
  }

  /**
   * The source, or a peer that announced more work than we had: not bad in this round, not cooling
   * down, least busy, untried first.
   */
  private Peer pickPeer(BodyDownload.Batch b, long now) {
    Peer best = null;
    boolean bestTried = true;
    for (Peer p : peers.all()) {
      boolean ahead = p.id.equals(job.source.peer) || p.claim().compareTo(job.startWork) > 0;
      if (!ahead
          || job.bad.contains(p.id)
          || p.inFlight >= config.maxBatchesPerPeer()
          || (avoided(p, now) && !p.id.equals(job.source.peer))) {
        continue;
      }
      boolean tried = b.tried.contains(p.id);
      if (best == null
          || (bestTried && !tried)
          || (bestTried == tried && p.inFlight < best.inFlight)) {
        best = p;
        bestTried = tried;
      }
    }
    return best;
  }

  private BodyDownload.Batch release(long id, int index, PeerId peer) {
    Peer p = peers.get(peer);
    if (p != null && p.inFlight > 0) {
      p.inFlight--;
    }
    if (job == null || job.id != id) {
      return null;
    }
    job.inFlight--;
    return job.batches.get(index);
  }

  private void onBatchDone(long id, int index, PeerId peer, List<Block> blocks) {
    BodyDownload.Batch b = release(id, index, peer);
    if (b == null) {
      return;
    }
    if (blocks.isEmpty()) {
      onBatchFailed(b, peer, new SyncFailure(SyncFailure.Kind.UNAVAILABLE, "empty answer"));
      return;
    }
    b.blocks.addAll(blocks);
    b.state =
        b.blocks.size() < b.hashes.size() ? BodyDownload.State.PENDING : BodyDownload.State.DONE;
    job.lastProgress = clock.millis();
  }

  private void onBatchFailed(BodyDownload.Batch b, PeerId peer, SyncFailure f) {
    LOG.debug("Sync: batch {} from {} failed: {}", b.index, peer.shortString(), f.getMessage());
    b.tried.add(peer);
    b.state = BodyDownload.State.PENDING;
    if (f.kind() == SyncFailure.Kind.UNAVAILABLE) {
      if (peer.equals(job.source.peer)) {
        // It sent us these headers and will not give their bodies: it cannot show the work.
        Peer p = peers.get(peer);
        if (p != null) {
          unproven(p, "has no bodies for the header chain it sent (batch " + b.index + ")");
        }
        return;
      }
      return; // another peer simply does not have that chain: no fault, no attempt used
    }
    if (f.kind() == SyncFailure.Kind.INVALID || f.kind() == SyncFailure.Kind.PROTOCOL) {
      job.bad.add(peer);
    }
    if (b.attempts >= config.maxAttempts()) {
      giveUp("batch " + b.index + " failed " + b.attempts + " times");
    } else {
      counters.refetches.increment();
    }
  }

  private void giveUp(String reason) {
    abandon(reason, config.peerCooldown().toMillis());
  }

  private void maybeImport() {
    if (job == null || importerBusy || job.nextImport >= job.batches.size()) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(job.nextImport);
    if (b.state != BodyDownload.State.DONE) {
      return;
    }
    importerBusy = true;
    b.state = BodyDownload.State.IMPORTING;
    out.importBlocks(job.id, b.index, List.copyOf(b.blocks), "sync " + b.peer.shortString());
  }

  private void onImported(long id, int index, int count) {
    importerBusy = false;
    counters.blocksImported.add(count);
    if (job == null || job.id != id) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(index);
    b.state = BodyDownload.State.IMPORTED;
    b.blocks.clear();
    job.source.handedOut = Math.max(0, job.source.handedOut - b.hashes.size());
    job.nextImport++;
    job.lastProgress = clock.millis();
  }

  private void onImportFailed(long id, int index, String reason, boolean peerFault) {
    importerBusy = false;
    if (job == null || job.id != id) {
      return;
    }
    BodyDownload.Batch b = job.batches.get(index);
    if (!peerFault) {
      // One of our own rules (an ignored or light branch, a busy chain): nobody's fault.
      abandon("import of batch " + index + ": " + reason, OWN_RULE_RETRY_MILLIS);
      return;
    }
    counters.invalidResponses.increment();
    out.penalize(b.peer, SyncFailure.Kind.INVALID.penalty(), "sync: invalid block: " + reason);
    LOG.info(
        "Sync: peer {} sent an invalid block ({}); fetching the batch elsewhere", b.peer, reason);
    job.bad.add(b.peer);
    b.tried.add(b.peer);
    b.blocks.clear();
    b.state = BodyDownload.State.PENDING;
    if (b.attempts >= config.maxAttempts()) {
      giveUp("batch " + index + " invalid from " + b.attempts + " peers");
    } else {
      counters.refetches.increment();
    }
  }

  // ---- snapshot

  /** Progress for the API and logs. */
  SyncStatus snapshot() {
    ChainView view = out.chain();
    long target = view.height();
    int known = 0;
    for (Peer p : peers.all()) {
      if (p.status != null) {
        known++;
        if (p.claim().compareTo(view.cumulativeWork()) > 0) {
          target = Math.max(target, p.status.height());
        }
      }
    }
    if (job != null) {
      target = Math.max(target, job.targetHeight);
    }
    long left = Math.max(0, target - view.height());
    long eta = rate > 0 ? Math.round(left / rate) : (left == 0 ? 0 : -1);
    return new SyncStatus(
        job != null ? SyncStatus.State.SYNCING : SyncStatus.State.IDLE,
        view.height(),
        target,
        known,
        rate,
        eta);
  }

  // ---- for tests

  /** Headers held for {@code peer}'s presync (0 if none). */
  int presyncHeld(PeerId peer) {
    Peer p = peers.get(peer);
    return p == null || p.presync == null ? 0 : p.presync.held();
  }

  /** The peer whose header chain is being downloaded, or null. */
  PeerId source() {
    return job == null ? null : job.source.peer;
  }

  /** The work the source's verified headers reach, or null without a round. */
  BigInteger sourceWork() {
    return job == null ? null : job.source.work();
  }

  /** Whether {@code peer} is cooling down (not a sync source). */
  boolean avoided(PeerId peer) {
    Peer p = peers.get(peer);
    return p != null && avoided(p, clock.millis());
  }
}
