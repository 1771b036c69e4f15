package dev.cairn.node.sync;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.PeerInfo;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Keeps our chain up with our peers': a status exchange on every new connection (and every {@link
 * SyncConfig#statusRefresh}), refusal of peers of another network or genesis, and sync rounds
 * toward the peer with the most work.
 *
 * <p>A round: ask the best peer for the headers after our locator (the fork point), cut them into
 * batches of {@link SyncConfig#batchSize} hashes, fetch batches by hash from every peer with more
 * work than ours (at most {@link SyncConfig#maxBatchesInFlight} at once, {@link
 * SyncConfig#maxBatchesPerPeer} per peer, no further than {@link SyncConfig#maxBufferedBatches}
 * ahead of the import), and import them in order through the chain service. A failed batch goes
 * back to the queue and is fetched from another peer; the peer pays what {@link SyncFailure.Kind}
 * says. A round that imports nothing for {@link SyncConfig#stallTimeout} is abandoned, the peers it
 * waited for are penalised as late, and a new round starts.
 *
 * <p><b>Threading:</b> all of the state below belongs to one virtual thread, {@code
 * sync-manager-<peer>}, which takes {@link Event}s from a bounded mailbox of {@value #MAILBOX} and
 * ticks every {@link #TICK_MILLIS} ms. Requests and imports run on worker virtual threads, bounded
 * by the in-flight limits, and post their results back; the owner never waits on the network or on
 * the chain owner. Full mailbox: connection events and peers' statuses are dropped (the status
 * refresh recovers them); workers wait up to {@link #POST_TIMEOUT_SECONDS} s and then drop their
 * result (the stall detector recovers the round).
 */
public final class SyncManager implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  static final int MAILBOX = 1024;
  static final long TICK_MILLIS = 200;
  static final long POST_TIMEOUT_SECONDS = 5;

  /** Most orphan-ancestor fetches at once; more orphans wait for the next sync round. */
  static final int MAX_ORPHAN_FETCHES = 4;

  /** Most headers asked for in one round. */
  static final int HEADERS_PER_ROUND = SyncCodec.MAX_HEADERS;

  /** Time a worker waits for the chain owner. */
  static final long CHAIN_TIMEOUT_SECONDS = 60;

  private final Host host;
  private final ChainService chain;
  private final String network;
  private final SyncConfig config;
  private final SyncRpc rpc;
  private final ArrayBlockingQueue<Event> mailbox = new ArrayBlockingQueue<>(MAILBOX);
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread owner;
  private volatile boolean running = true;
  private volatile SyncStatus status;

  /** Counters, readable from any thread (for metrics and tests). */
  private final LongAdder blocksImported = new LongAdder();

  private final LongAdder invalidResponses = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder refetches = new LongAdder();
  private final LongAdder stalls = new LongAdder();
  private final LongAdder refusals = new LongAdder();

  // ---- owner-thread state
  private final Map<PeerId, Peer> peers = new HashMap<>();
  private final Map<PeerId, Refusal> refusing = new HashMap<>();

  /**
   * Peers that do not speak our status protocol and whose identify had not arrived yet: checked on
   * each tick until identify tells their network or {@link #IDENTIFY_WAIT} passes. Bounded by the
   * connection limits (one entry per connected peer at most).
   */
  private final Map<PeerId, Long> awaitingIdentify = new HashMap<>();

  static final java.time.Duration IDENTIFY_WAIT = java.time.Duration.ofSeconds(10);
  private final Set<Hash> orphanFetches = new HashSet<>();
  private Job job;
  private long jobSeq;
  private boolean importerBusy;
  private long lastLogNanos = System.nanoTime();
  private long importedAtLastLog;
  private double rate;
  private boolean wasSyncing;

  private SyncManager(
      Host host, ChainService chain, String network, SyncConfig config, BlockSource source) {
    this.host = host;
    this.chain = chain;
    this.network = network;
    this.config = config;
    this.status = SyncStatus.idle(chain.view().height());
    this.rpc = SyncRpc.serve(host, network, config, source, this::onStatusRequest);
    this.owner =
        Thread.ofVirtual()
            .name("sync-manager-" + host.peerId().shortString())
            .unstarted(this::loop);
  }

  /** Serves the sync protocols from {@code chain} and starts the manager. */
  public static SyncManager start(
      Host host, ChainService chain, String network, SyncConfig config) {
    return start(host, chain, network, config, new ChainBlockSource(chain));
  }

  /** As {@link #start(Host, ChainService, String, SyncConfig)}, answering from {@code source}. */
  public static SyncManager start(
      Host host, ChainService chain, String network, SyncConfig config, BlockSource source) {
    SyncManager m = new SyncManager(host, chain, network, config, source);
    m.owner.start();
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            m.mailbox.offer(new Event.Connected(c.remotePeer()));
          }

          @Override
          public void disconnected(Connection c) {
            if (!host.isConnected(c.remotePeer())) {
              m.mailbox.offer(new Event.Disconnected(c.remotePeer()));
            }
          }
        });
    for (Connection c : host.connections()) {
      m.mailbox.offer(new Event.Connected(c.remotePeer()));
    }
    return m;
  }

  // ---- public, any thread

  /** The latest progress snapshot. */
  public SyncStatus status() {
    return status;
  }

  /** The request side of the sync protocols. */
  public SyncRpc rpc() {
    return rpc;
  }

  /**
   * A gossiped block from {@code peer} was orphaned: fetch its missing ancestor {@code wanted} from
   * that peer (and further ancestors, up to {@link SyncConfig#maxOrphanDepth}). Never blocks.
   */
  public void fetchAncestors(PeerId peer, Hash wanted) {
    mailbox.offer(new Event.Orphan(peer, wanted));
  }

  public long blocksImported() {
    return blocksImported.sum();
  }

  /** Batches or headers rejected as invalid, unrequested or unlinked. */
  public long invalidResponses() {
    return invalidResponses.sum();
  }

  /** Requests that timed out. */
  public long timeouts() {
    return timeouts.sum();
  }

  /** Batches fetched again after a failure. */
  public long refetches() {
    return refetches.sum();
  }

  /** Rounds restarted by the stall detector. */
  public long stalls() {
    return stalls.sum();
  }

  /** Peers refused for another network or genesis. */
  public long refusals() {
    return refusals.sum();
  }

  @Override
  public void close() {
    running = false;
    owner.interrupt();
    workers.shutdownNow();
    try {
      owner.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- events

  /** What the owner thread steps on. */
  sealed interface Event {
    record Connected(PeerId peer) implements Event {}

    record Disconnected(PeerId peer) implements Event {}

    /** A peer sent its status with its request; {@code answered} is ours to it. */
    record StatusIn(PeerId peer, Status status) implements Event {}

    record StatusOut(PeerId peer, Status status) implements Event {}

    record StatusFailed(PeerId peer, SyncFailure failure) implements Event {}

    record Headers(long job, PeerId peer, List<BlockHeader> headers) implements Event {}

    record HeadersFailed(long job, PeerId peer, SyncFailure failure) implements Event {}

    record BatchDone(long job, int index, PeerId peer, List<Block> blocks) implements Event {}

    record BatchFailed(long job, int index, PeerId peer, SyncFailure failure) implements Event {}

    record Imported(long job, int index, int blocks) implements Event {}

    record ImportFailed(long job, int index, String reason, boolean peerFault) implements Event {}

    record Orphan(PeerId peer, Hash wanted) implements Event {}

    record OrphanDone(PeerId peer, Hash wanted, boolean deeper) implements Event {}
  }

  private void onStatusRequest(PeerId peer, Status theirs) {
    mailbox.offer(new Event.StatusIn(peer, theirs));
  }

  private void post(Event e) {
    try {
      if (running && !mailbox.offer(e, POST_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("sync mailbox full: dropped {}", e.getClass().getSimpleName());
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    long nextTick = System.nanoTime();
    while (running) {
      Event e;
      try {
        e = mailbox.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ex) {
        break;
      }
      try {
        if (e != null) {
          handle(e);
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          nextTick = now + TICK_MILLIS * 1_000_000;
          tick(now);
        }
        step();
        publishStatus();
      } catch (RuntimeException ex) {
        LOG.error("sync manager: {} failed", e == null ? "tick" : e, ex);
      }
    }
  }

  private void handle(Event e) {
    switch (e) {
      case Event.Connected(PeerId peer) -> onConnected(peer);
      case Event.Disconnected(PeerId peer) -> {
        peers.remove(peer);
        // A refused peer that left during the grace (often because it refused us first) is
        // banned now: forgetting the refusal would let it straight back in.
        Refusal r = refusing.remove(peer);
        if (r != null) {
          host.ban(peer, config.refusedBan(), r.reason());
        }
      }
      case Event.StatusIn(PeerId peer, Status s) -> onStatus(peer, s);
      case Event.StatusOut(PeerId peer, Status s) -> {
        Peer p = peers.get(peer);
        if (p != null) {
          p.statusInFlight = false;
        }
        onStatus(peer, s);
      }
      case Event.StatusFailed(PeerId peer, SyncFailure f) -> onStatusFailed(peer, f);
      case Event.Headers(long id, PeerId peer, List<BlockHeader> headers) ->
          onHeaders(id, peer, headers);
      case Event.HeadersFailed(long id, PeerId peer, SyncFailure f) -> onHeadersFailed(id, peer, f);
      case Event.BatchDone(long id, int index, PeerId peer, List<Block> blocks) ->
          onBatchDone(id, index, peer, blocks);
      case Event.BatchFailed(long id, int index, PeerId peer, SyncFailure f) ->
          onBatchFailed(id, index, peer, f);
      case Event.Imported(long id, int index, int blocks) -> onImported(id, index, blocks);
      case Event.ImportFailed(long id, int index, String reason, boolean peerFault) ->
          onImportFailed(id, index, reason, peerFault);
      case Event.Orphan(PeerId peer, Hash wanted) -> onOrphan(peer, wanted);
      case Event.OrphanDone(PeerId peer, Hash wanted, boolean deeper) -> {
        orphanFetches.remove(wanted);
        if (deeper && peers.containsKey(peer)) {
          requestStatus(peers.get(peer)); // a long gap: let a sync round fetch it
        }
      }
    }
  }

  // ---- peers and status

  private static final class Peer {
    final PeerId id;
    Status status;
    long statusAt;
    boolean statusInFlight;
    long avoidUntil = System.nanoTime();
    int inFlight;

    Peer(PeerId id) {
      this.id = id;
    }
  }

  private record Refusal(long banAt, String reason) {}

  private void onConnected(PeerId peer) {
    if (refusing.containsKey(peer) || !host.isConnected(peer)) {
      return;
    }
    Peer p = peers.computeIfAbsent(peer, Peer::new);
    if (!p.statusInFlight) {
      requestStatus(p);
    }
  }

  private void requestStatus(Peer p) {
    p.statusInFlight = true;
    p.statusAt = System.nanoTime();
    Status ours = Status.of(chain.view());
    PeerId peer = p.id;
    workers.execute(
        () -> {
          try {
            post(new Event.StatusOut(peer, rpc.status(peer, ours)));
          } catch (SyncFailure f) {
            post(new Event.StatusFailed(peer, f));
          }
        });
  }

  private void onStatus(PeerId peer, Status s) {
    String why = mismatch(s);
    if (why != null) {
      refuse(peer, why);
      return;
    }
    if (!host.isConnected(peer) || refusing.containsKey(peer)) {
      return;
    }
    Peer p = peers.computeIfAbsent(peer, Peer::new);
    p.status = s;
    p.statusAt = System.nanoTime();
  }

  private String mismatch(Status s) {
    if (!s.network().equals(network)) {
      return "network " + s.network() + " differs from ours " + network;
    }
    Hash genesis = chain.view().genesis();
    if (!s.genesis().equals(genesis)) {
      return "genesis " + s.genesis() + " differs from ours " + genesis;
    }
    return null;
  }

  private void onStatusFailed(PeerId peer, SyncFailure f) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.statusInFlight = false;
    }
    LOG.debug("Status from {} failed: {}", peer.shortString(), f.getMessage());
    penalise(peer, f);
    if (f.kind() == SyncFailure.Kind.NOT_SUPPORTED) {
      // Not a sync peer of our network. If identify shows it syncs another one, say so and refuse;
      // if identify has not answered yet, look again on the next ticks.
      peers.remove(peer);
      if (!checkOtherNetwork(peer)) {
        awaitingIdentify.put(peer, System.nanoTime() + IDENTIFY_WAIT.toNanos());
      }
    }
  }

  /**
   * Refuses {@code peer} if identify shows it serves the status protocol of another network.
   *
   * @return true when identify has answered (whatever it said), false when it has not yet
   */
  private boolean checkOtherNetwork(PeerId peer) {
    PeerInfo info = host.peerStore().get(peer).orElse(null);
    if (info == null || info.protocols().isEmpty()) {
      return false;
    }
    for (String proto : info.protocols()) {
      if (proto.startsWith("/cairn/") && proto.endsWith("/req/status/1")) {
        String other = proto.substring(7, proto.length() - "/req/status/1".length());
        if (!other.equals(network)) {
          refuse(peer, "network " + other + " differs from ours " + network);
        }
        return true;
      }
    }
    return true; // a libp2p peer that is not a Cairn node: not ours to sync with, not refused
  }

  private void refuse(PeerId peer, String reason) {
    peers.remove(peer);
    if (refusing.containsKey(peer)) {
      return;
    }
    refusals.increment();
    LOG.info("Refusing peer {}: {}", peer, reason);
    refusing.put(peer, new Refusal(System.nanoTime() + config.refuseGrace().toNanos(), reason));
  }

  // ---- ticks

  private void tick(long now) {
    for (Iterator<Map.Entry<PeerId, Long>> it = awaitingIdentify.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<PeerId, Long> w = it.next();
      if (!host.isConnected(w.getKey())
          || checkOtherNetwork(w.getKey())
          || now - w.getValue() > 0) {
        it.remove();
      }
    }
    for (Iterator<Map.Entry<PeerId, Refusal>> it = refusing.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<PeerId, Refusal> r = it.next();
      if (now - r.getValue().banAt() >= 0) {
        host.ban(r.getKey(), config.refusedBan(), r.getValue().reason());
        it.remove();
      }
    }
    long refresh = config.statusRefresh().toNanos();
    for (Peer p : peers.values()) {
      if (!p.statusInFlight && now - p.statusAt > refresh) {
        requestStatus(p);
      }
    }
    if (job != null && now - job.lastProgress > config.stallTimeout().toNanos()) {
      stalled(now);
    }
    long elapsed = now - lastLogNanos;
    if (elapsed >= config.progressLogInterval().toNanos()) {
      long imported = blocksImported.sum();
      rate = (imported - importedAtLastLog) * 1e9 / elapsed;
      importedAtLastLog = imported;
      lastLogNanos = now;
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
    stalls.increment();
    LOG.warn(
        "Sync: no progress for {}s at height {}; restarting the round",
        config.stallTimeout().toSeconds(),
        chain.view().height());
    for (Batch b : job.batches) {
      if (b.state == BatchState.REQUESTED && b.peer != null) {
        host.penalize(b.peer, SyncFailure.Kind.TIMEOUT.penalty(), "sync: late batch");
        avoid(b.peer, now);
      }
    }
    if (job.headersPending) {
      avoid(job.source, now);
    }
    job = null;
  }

  private void avoid(PeerId peer, long now) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.avoidUntil = now + config.peerCooldown().toNanos();
    }
  }

  // ---- sync rounds

  private enum BatchState {
    PENDING,
    REQUESTED,
    DONE,
    IMPORTING,
    IMPORTED
  }

  private static final class Batch {
    final int index;
    final List<Hash> hashes;
    final List<Block> blocks = new ArrayList<>();
    final Set<PeerId> tried = new HashSet<>();
    BatchState state = BatchState.PENDING;
    PeerId peer;
    int attempts;

    Batch(int index, List<Hash> hashes) {
      this.index = index;
      this.hashes = hashes;
    }
  }

  private static final class Job {
    final long id;
    final PeerId source;
    final BigInteger startWork;
    final List<Batch> batches = new ArrayList<>();
    final Set<PeerId> bad = new HashSet<>();
    boolean headersPending = true;
    int nextImport;
    int inFlight;
    long lastProgress = System.nanoTime();
    long targetHeight;

    Job(long id, PeerId source, BigInteger startWork, long targetHeight) {
      this.id = id;
      this.source = source;
      this.startWork = startWork;
      this.targetHeight = targetHeight;
    }
  }

  private void step() {
    if (job == null) {
      startJob();
    }
    if (job != null) {
      schedule();
      maybeImport();
    }
  }

  private void startJob() {
    ChainView view = chain.view();
    long now = System.nanoTime();
    Peer best = null;
    for (Peer p : peers.values()) {
      if (p.status == null
          || p.status.cumulativeWork().compareTo(view.cumulativeWork()) <= 0
          || now - p.avoidUntil < 0) {
        continue;
      }
      if (best == null || p.status.cumulativeWork().compareTo(best.status.cumulativeWork()) > 0) {
        best = p;
      }
    }
    if (best == null) {
      if (wasSyncing) {
        wasSyncing = false;
        LOG.info("Sync: up to date at height {} ({})", view.height(), view.headHash());
      }
      return;
    }
    wasSyncing = true;
    job = new Job(++jobSeq, best.id, view.cumulativeWork(), best.status.height());
    long id = job.id;
    PeerId peer = best.id;
    LOG.debug(
        "Sync round {} from {} (height {}, ours {})",
        id,
        peer.shortString(),
        best.status.height(),
        view.height());
    workers.execute(
        () -> {
          try {
            List<Hash> locator = chain.locator().get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            post(new Event.Headers(id, peer, rpc.headers(peer, locator, HEADERS_PER_ROUND)));
          } catch (SyncFailure f) {
            post(new Event.HeadersFailed(id, peer, f));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (Exception e) {
            post(
                new Event.HeadersFailed(
                    id, peer, new SyncFailure(SyncFailure.Kind.IO, "locator: " + e, e)));
          }
        });
  }

  private void onHeaders(long id, PeerId peer, List<BlockHeader> headers) {
    if (job == null || job.id != id) {
      return;
    }
    job.headersPending = false;
    if (headers.isEmpty()) {
      // It announced more work but has nothing after our locator: its status is old (or false).
      LOG.debug("Sync: {} has no headers for us; asking its status again", peer.shortString());
      avoid(peer, System.nanoTime());
      Peer p = peers.get(peer);
      if (p != null && !p.statusInFlight) {
        requestStatus(p);
      }
      job = null;
      return;
    }
    List<Hash> hashes = new ArrayList<>(headers.size());
    for (BlockHeader h : headers) {
      hashes.add(h.hash());
    }
    for (int i = 0, n = 0; i < hashes.size(); i += config.batchSize(), n++) {
      job.batches.add(
          new Batch(
              n, List.copyOf(hashes.subList(i, Math.min(hashes.size(), i + config.batchSize())))));
    }
    job.targetHeight = Math.max(job.targetHeight, headers.getLast().height());
    job.lastProgress = System.nanoTime();
    LOG.debug(
        "Sync round {}: {} headers from {} (heights {}..{})",
        id,
        headers.size(),
        peer.shortString(),
        headers.getFirst().height(),
        headers.getLast().height());
  }

  private void onHeadersFailed(long id, PeerId peer, SyncFailure f) {
    penalise(peer, f);
    if (job == null || job.id != id) {
      return;
    }
    LOG.debug("Sync: headers from {} failed: {}", peer.shortString(), f.getMessage());
    avoid(peer, System.nanoTime());
    job = null;
  }

  private void schedule() {
    if (job.headersPending) {
      return;
    }
    for (int i = job.nextImport; i < job.batches.size(); i++) {
      if (job.inFlight >= config.maxBatchesInFlight()
          || i >= job.nextImport + config.maxBufferedBatches()) {
        return;
      }
      Batch b = job.batches.get(i);
      if (b.state != BatchState.PENDING) {
        continue;
      }
      Peer p = pickPeer(b);
      if (p == null) {
        return;
      }
      request(b, p);
    }
  }

  /** A peer with more work than we had, not bad in this round, least busy, untried first. */
  private Peer pickPeer(Batch b) {
    Peer best = null;
    boolean bestTried = true;
    for (Peer p : peers.values()) {
      boolean ahead =
          p.id.equals(job.source)
              || (p.status != null && p.status.cumulativeWork().compareTo(job.startWork) > 0);
      if (!ahead
          || job.bad.contains(p.id)
          || p.inFlight >= config.maxBatchesPerPeer()
          || System.nanoTime() - p.avoidUntil < 0) {
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

  private void request(Batch b, Peer p) {
    b.state = BatchState.REQUESTED;
    b.peer = p.id;
    b.attempts++;
    p.inFlight++;
    job.inFlight++;
    List<Hash> remaining = List.copyOf(b.hashes.subList(b.blocks.size(), b.hashes.size()));
    long id = job.id;
    int index = b.index;
    PeerId peer = p.id;
    workers.execute(
        () -> {
          try {
            post(new Event.BatchDone(id, index, peer, rpc.blocksByHash(peer, remaining)));
          } catch (SyncFailure f) {
            post(new Event.BatchFailed(id, index, peer, f));
          }
        });
  }

  private Batch releaseBatch(long id, int index, PeerId peer) {
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
    Batch b = releaseBatch(id, index, peer);
    if (b == null) {
      return;
    }
    if (blocks.isEmpty()) {
      onBatchFailed(b, peer, new SyncFailure(SyncFailure.Kind.UNAVAILABLE, "empty answer"));
      return;
    }
    b.blocks.addAll(blocks);
    b.state = b.blocks.size() < b.hashes.size() ? BatchState.PENDING : BatchState.DONE;
    job.lastProgress = System.nanoTime();
  }

  private void onBatchFailed(long id, int index, PeerId peer, SyncFailure f) {
    penalise(peer, f);
    Batch b = releaseBatch(id, index, peer);
    if (b != null) {
      onBatchFailed(b, peer, f);
    }
  }

  private void onBatchFailed(Batch b, PeerId peer, SyncFailure f) {
    LOG.debug("Sync: batch {} from {} failed: {}", b.index, peer.shortString(), f.getMessage());
    b.tried.add(peer);
    if (f.kind() == SyncFailure.Kind.INVALID || f.kind() == SyncFailure.Kind.PROTOCOL) {
      job.bad.add(peer);
    }
    b.state = BatchState.PENDING;
    if (b.attempts >= config.maxAttempts()) {
      giveUp("batch " + b.index + " failed " + b.attempts + " times");
    } else {
      refetches.increment();
    }
  }

  private void giveUp(String reason) {
    LOG.info("Sync: abandoning the round from {}: {}", job.source.shortString(), reason);
    avoid(job.source, System.nanoTime());
    job = null;
  }

  private void maybeImport() {
    if (job == null || importerBusy || job.nextImport >= job.batches.size()) {
      return;
    }
    Batch b = job.batches.get(job.nextImport);
    if (b.state != BatchState.DONE) {
      return;
    }
    importerBusy = true;
    b.state = BatchState.IMPORTING;
    long id = job.id;
    List<Block> blocks = List.copyOf(b.blocks);
    String source = "sync " + b.peer.shortString();
    workers.execute(() -> importBatch(id, b.index, blocks, source));
  }

  /** On a worker: imports one batch in order and reports. */
  private void importBatch(long id, int index, List<Block> blocks, String source) {
    try {
      for (Block block : blocks) {
        ImportResult r =
            chain.importBlock(block, source).get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        switch (r.outcome()) {
          case IMPORTED_HEAD, IMPORTED_SIDE, DUPLICATE -> {}
          case INVALID, INVALID_ANCESTOR -> {
            post(
                new Event.ImportFailed(
                    id, index, r.outcome() + " " + r.reason() + " " + r.detail(), true));
            return;
          }
          case ORPHANED, IGNORED, LIGHT_BRANCH, BUSY -> {
            post(new Event.ImportFailed(id, index, r.outcome() + " " + r.detail(), false));
            return;
          }
        }
      }
      post(new Event.Imported(id, index, blocks.size()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      post(new Event.ImportFailed(id, index, "chain: " + e, false));
    }
  }

  private void onImported(long id, int index, int count) {
    importerBusy = false;
    blocksImported.add(count);
    if (job == null || job.id != id) {
      return;
    }
    Batch b = job.batches.get(index);
    b.state = BatchState.IMPORTED;
    b.blocks.clear();
    job.nextImport++;
    job.lastProgress = System.nanoTime();
    if (job.nextImport == job.batches.size()) {
      LOG.debug("Sync round {} done at height {}", job.id, chain.view().height());
      job = null; // the next step starts another round if a peer still has more work
      // Our status goes with each status request: peers behind us learn of our new head now
      // rather than at their next refresh (blocks we synced are not gossiped).
      for (Peer p : peers.values()) {
        if (!p.statusInFlight) {
          requestStatus(p);
        }
      }
    }
  }

  private void onImportFailed(long id, int index, String reason, boolean peerFault) {
    importerBusy = false;
    if (job == null || job.id != id) {
      return;
    }
    Batch b = job.batches.get(index);
    if (!peerFault) {
      giveUp("import of batch " + index + ": " + reason);
      return;
    }
    invalidResponses.increment();
    host.penalize(b.peer, SyncFailure.Kind.INVALID.penalty(), "sync: invalid block: " + reason);
    LOG.info(
        "Sync: peer {} sent an invalid block ({}); fetching the batch elsewhere", b.peer, reason);
    job.bad.add(b.peer);
    b.tried.add(b.peer);
    b.blocks.clear();
    b.state = BatchState.PENDING;
    if (b.attempts >= config.maxAttempts()) {
      giveUp("batch " + index + " invalid from " + b.attempts + " peers");
    } else {
      refetches.increment();
    }
  }

  private void penalise(PeerId peer, SyncFailure f) {
    if (f.kind() == SyncFailure.Kind.INVALID) {
      invalidResponses.increment();
    } else if (f.kind() == SyncFailure.Kind.TIMEOUT) {
      timeouts.increment();
    }
    if (f.kind().penalty() > 0) {
      LOG.debug("Sync: penalising {}: {}", peer.shortString(), f.getMessage());
      host.penalize(peer, f.kind().penalty(), "sync: " + f.getMessage());
    }
  }

  // ---- orphans

  private void onOrphan(PeerId peer, Hash wanted) {
    if (job != null || orphanFetches.size() >= MAX_ORPHAN_FETCHES || !orphanFetches.add(wanted)) {
      return; // a running round fetches it, or a fetch for it runs already
    }
    workers.execute(() -> fetchOrphanAncestors(peer, wanted));
  }

  /** On a worker: fetches ancestors one by one until one connects. */
  private void fetchOrphanAncestors(PeerId peer, Hash wanted) {
    Hash want = wanted;
    boolean deeper = true;
    try {
      for (int depth = 0; depth < config.maxOrphanDepth(); depth++) {
        Block b = rpc.blocksByHash(peer, List.of(want)).getFirst();
        ImportResult r =
            chain
                .importBlock(b, "ancestor " + peer.shortString())
                .get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.outcome() == ImportResult.Outcome.ORPHANED && r.wanted() != null) {
          want = r.wanted();
          continue;
        }
        if (r.penalise()) {
          invalidResponses.increment();
          host.penalize(peer, SyncFailure.Kind.INVALID.penalty(), "invalid ancestor " + r.detail());
        }
        deeper = false;
        break;
      }
    } catch (SyncFailure f) {
      penalise(peer, f);
      deeper = f.kind() == SyncFailure.Kind.UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      LOG.debug("ancestor fetch from {} failed: {}", peer.shortString(), e.toString());
    }
    post(new Event.OrphanDone(peer, wanted, deeper));
  }

  // ---- snapshot

  private SyncStatus snapshot() {
    ChainView view = chain.view();
    long target = view.height();
    for (Peer p : peers.values()) {
      if (p.status != null && p.status.cumulativeWork().compareTo(view.cumulativeWork()) > 0) {
        target = Math.max(target, p.status.height());
      }
    }
    if (job != null) {
      target = Math.max(target, job.targetHeight);
    }
    long left = Math.max(0, target - view.height());
    long eta = rate > 0 ? Math.round(left / rate) : (left == 0 ? 0 : -1);
    int known = 0;
    for (Peer p : peers.values()) {
      if (p.status != null) {
        known++;
      }
    }
    return new SyncStatus(
        job != null ? SyncStatus.State.SYNCING : SyncStatus.State.IDLE,
        view.height(),
        target,
        known,
        rate,
        eta);
  }

  private void publishStatus() {
    status = snapshot();
  }
}
