package dev.cairn.node.sync;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.ForkBase;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.owner.FullPolicy;
import dev.cairn.owner.Owner;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.ConnectionListener;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.host.PeerInfo;
import dev.cairn.p2p.multiformats.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Keeps our chain up with our peers': the thread, mailbox and workers around {@link SyncState},
 * which holds the logic (status exchange and refusals, headers-first presync, the choice of a
 * source by proven work, body download, penalties). This class serves the sync protocols, turns
 * connection changes, statuses and the results of requests and imports into {@link SyncEvent}s, and
 * carries out the state's effects ({@link SyncOutput}) on worker virtual threads.
 *
 * <p><b>Threading:</b> the state belongs to an {@link Owner} on one virtual thread, {@code
 * sync-manager-<peer>}, which takes events from a bounded mailbox of {@value #MAILBOX} and gets a
 * tick from the shared scheduler every {@link #TICK_MILLIS} ms. Requests and imports run on worker
 * virtual threads, bounded by the state's in-flight limits, and post their results back; the owner
 * never waits on the network or on the chain owner. Full-policy: {@link FullPolicy#DROP_AND_COUNT}
 * for connection events, peers' statuses and orphan hints (the status refresh recovers them) and
 * ticks; {@link FullPolicy#BACK_PRESSURE} for workers, which wait up to {@link
 * #POST_TIMEOUT_SECONDS} s and then drop their result (the stall detector recovers the round).
 */
public final class SyncManager implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  static final int MAILBOX = 1024;
  static final long TICK_MILLIS = 200;
  static final long POST_TIMEOUT_SECONDS = 5;

  /** Time a worker waits for the chain owner. */
  static final long CHAIN_TIMEOUT_SECONDS = 60;

  private final Host host;
  private final ChainService chain;
  private final SyncConfig config;
  private final NodeMetrics metrics;
  private final SyncRpc rpc;
  private final SyncState state;
  private final SyncCounters counters = new SyncCounters();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Owner<SyncEvent> owner;
  private volatile boolean running = true;
  private volatile SyncStatus status;

  private SyncManager(
      Host host,
      ChainService chain,
      String network,
      SyncConfig config,
      BlockSource source,
      NodeMetrics metrics) {
    this.host = host;
    this.chain = chain;
    this.config = config;
    this.metrics = metrics;
    this.status = SyncStatus.idle(chain.view().height());
    this.rpc =
        SyncRpc.serve(
            host,
            network,
            config,
            source,
            this::onStatusRequest,
            (protocol, code) -> metrics.requestServed(protocol, code.name()));
    rpc.onRequestTimed(metrics::requestTook);
    this.state =
        new SyncState(config, chain.params(), network, chain.clock(), new Effects(), counters);
    this.owner =
        Owner.<SyncEvent>builder("sync-manager-" + host.peerId().shortString(), MAILBOX, this::step)
            .fullPolicy(FullPolicy.DROP_AND_COUNT)
            .backPressureTimeout(Duration.ofSeconds(POST_TIMEOUT_SECONDS))
            .joinTimeout(Duration.ofSeconds(5))
            .tick(Duration.ZERO, Duration.ofMillis(TICK_MILLIS), SyncEvent.Tick::new)
            .build();
  }

  /** Serves the sync protocols from {@code chain} and starts the manager, with its own metrics. */
  public static SyncManager start(
      Host host, ChainService chain, String network, SyncConfig config) {
    return start(
        host, chain, network, config, new ChainBlockSource(chain), new NodeMetrics(new Metrics()));
  }

  /**
   * Serves the sync protocols from {@code source} and starts the manager, recording the requests it
   * serves and the blocks it imports in {@code metrics}.
   */
  public static SyncManager start(
      Host host,
      ChainService chain,
      String network,
      SyncConfig config,
      BlockSource source,
      NodeMetrics metrics) {
    SyncManager m = new SyncManager(host, chain, network, config, source, metrics);
    m.owner.start();
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            m.owner.send(new SyncEvent.Connected(c.remotePeer()));
          }

          @Override
          public void disconnected(Connection c) {
            if (!host.isConnected(c.remotePeer())) {
              m.owner.send(new SyncEvent.Disconnected(c.remotePeer()));
            }
          }
        });
    for (Connection c : host.connections()) {
      m.owner.send(new SyncEvent.Connected(c.remotePeer()));
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
    owner.send(new SyncEvent.Orphan(peer, wanted));
  }

  /** What sync has counted of {@code c} since it started. */
  public long count(SyncCounter c) {
    return counters.get(c);
  }

  /** Blocks imported by sync rounds. */
  public long blocksImported() {
    return count(SyncCounter.BLOCKS_IMPORTED);
  }

  /** Answers to our own status requests (a peer's status that came with its request is not one). */
  public long statusAnswers() {
    return count(SyncCounter.STATUS_ANSWERS);
  }

  /** True while the owner thread runs (false once closed, or after an Error stopped it). */
  public boolean isRunning() {
    return running && owner.isRunning();
  }

  /** The Error that stopped the owner thread, if one did. */
  public java.util.Optional<Throwable> failure() {
    return owner.failure();
  }

  @Override
  public void close() {
    running = false;
    // the owner first: while it steps an event it may still hand work to the workers
    owner.close();
    try {
      workers.shutdownNow();
      // stopped means stopped: no worker still importing into the chain or asking a peer
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---- the owner

  private void onStatusRequest(PeerId peer, Status theirs) {
    owner.send(new SyncEvent.StatusIn(peer, theirs));
  }

  private void post(SyncEvent e) {
    if (running
        && !owner.send(e, FullPolicy.BACK_PRESSURE)
        && !Thread.currentThread().isInterrupted()) {
      LOG.warn("sync mailbox full: dropped {}", e.getClass().getSimpleName());
    }
  }

  /** One step of the state, on the owner thread; the progress snapshot follows each. */
  private void step(SyncEvent e) {
    state.handle(e);
    status = state.snapshot();
  }

  // ---- effects, on the owner thread; everything that waits runs on a worker

  private final class Effects implements SyncOutput {
    @Override
    public ChainView chain() {
      return chain.view();
    }

    @Override
    public boolean isConnected(PeerId peer) {
      return host.isConnected(peer);
    }

    @Override
    public String identifiedNetwork(PeerId peer) {
      PeerInfo info = host.peerStore().get(peer).orElse(null);
      if (info == null || info.protocols().isEmpty()) {
        return null;
      }
      for (String proto : info.protocols()) {
        if (dev.cairn.node.protocol.CairnProtocols.statusNetwork(proto).isPresent()) {
          return dev.cairn.node.protocol.CairnProtocols.statusNetwork(proto).orElseThrow();
        }
      }
      return ""; // a libp2p peer that is not a Cairn node: not ours to sync with, not refused
    }

    @Override
    public void requestStatus(PeerId peer) {
      workers.execute(
          () -> {
            try {
              post(new SyncEvent.StatusOut(peer, rpc.status(peer, Status.of(chain.view()))));
            } catch (SyncFailure f) {
              post(new SyncEvent.StatusFailed(peer, f));
            }
          });
    }

    @Override
    public void requestHeaders(long request, PeerId peer, Hash after, int max) {
      workers.execute(() -> fetchHeaders(request, peer, after, max));
    }

    @Override
    public void requestBlocks(long job, int index, PeerId peer, List<Hash> hashes) {
      workers.execute(
          () -> {
            long start = metrics.nanos();
            try {
              List<Block> blocks = rpc.blocksByHash(peer, hashes);
              metrics.syncBatchDone("download", start);
              // verify the signatures on the chain's verifier threads now, while the owner
              // imports earlier batches: the import then finds them in the signature cache
              chain.preverify(blocks);
              post(new SyncEvent.BatchDone(job, index, peer, blocks));
            } catch (SyncFailure f) {
              post(new SyncEvent.BatchFailed(job, index, peer, f));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }

    @Override
    public void importBlocks(long job, int index, List<Block> blocks, String source) {
      workers.execute(() -> importBatch(job, index, blocks, source));
    }

    @Override
    public void fetchAncestors(PeerId peer, Hash wanted) {
      workers.execute(() -> fetchOrphanAncestors(peer, wanted));
    }

    @Override
    public void penalize(PeerId peer, int points, String reason) {
      host.penalize(peer, points, reason);
    }

    @Override
    public void ban(PeerId peer, Duration duration, String reason) {
      host.ban(peer, duration, reason);
    }
  }

  /**
   * On a worker: headers after {@code after} (then our locator), and the fork base of the first
   * one's parent when it is not {@code after}.
   */
  private void fetchHeaders(long request, PeerId peer, Hash after, int max) {
    try {
      List<Hash> ours = chain.locator().get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<Hash> locator = new ArrayList<>(SyncCodec.MAX_LOCATOR);
      if (after != null) {
        locator.add(after);
      }
      for (Hash h : ours) {
        if (locator.size() == SyncCodec.MAX_LOCATOR - 1 && !h.equals(ours.getLast())) {
          continue; // keep genesis last
        }
        if (locator.size() < SyncCodec.MAX_LOCATOR) {
          locator.add(h);
        }
      }
      List<BlockHeader> headers = rpc.headers(peer, locator, max);
      ForkBase fork = null;
      if (!headers.isEmpty() && !headers.getFirst().parent().equals(after)) {
        fork =
            chain
                .forkBase(headers.getFirst().parent())
                .get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .orElse(null);
      }
      post(new SyncEvent.Headers(request, peer, headers, max, fork));
    } catch (SyncFailure f) {
      post(new SyncEvent.HeadersFailed(request, peer, f));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      post(
          new SyncEvent.HeadersFailed(
              request, peer, new SyncFailure(SyncFailure.Kind.IO, "chain: " + e, e)));
    }
  }

  /**
   * On a worker: imports one batch in order as requested blocks, in one command to the chain (one
   * round trip and one fsync for the batch), and reports.
   */
  private void importBatch(long job, int index, List<Block> blocks, String source) {
    long start = metrics.nanos();
    try {
      List<ImportResult> results =
          chain.importRequested(blocks, source).get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      for (ImportResult r : results) {
        if (r.imported()) {
          // each block's answer came with the batch's
          metrics.importTook("sync", start);
          metrics.blockImported("sync");
        }
        if (r.imported() || r.outcome() == ImportResult.Outcome.DUPLICATE) {
          continue;
        }
        // INVALID / INVALID_ANCESTOR are the block's fault; anything else (IGNORED, a light
        // branch, BUSY, ORPHANED) is one of our own rules and never the peer's.
        post(
            new SyncEvent.ImportFailed(
                job,
                index,
                r.outcome() + (r.reason() == null ? "" : " " + r.reason()) + " " + r.detail(),
                r.penalise()));
        return;
      }
      metrics.syncBatchDone("import", start);
      post(new SyncEvent.Imported(job, index, blocks.size()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      post(new SyncEvent.ImportFailed(job, index, "chain: " + e, false));
    }
  }

  /**
   * Standing a peer loses when it gossiped a block and then answers "unavailable" for its missing
   * ancestor: ten such orphans get it banned.
   */
  static final int UNBACKED_ORPHAN_PENALTY = 10;

  /** On a worker: fetches ancestors one by one until one connects. */
  private void fetchOrphanAncestors(PeerId peer, Hash wanted) {
    Hash want = wanted;
    boolean deeper = true;
    try {
      for (int depth = 0; depth < config.maxOrphanDepth(); depth++) {
        Block b = rpc.blocksByHash(peer, List.of(want)).getFirst();
        ImportResult r =
            metrics
                .timeImport("sync", () -> chain.importBlock(b, "ancestor " + peer.shortString()))
                .get(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.imported()) {
          metrics.blockImported("sync");
        }
        if (r.outcome() == ImportResult.Outcome.ORPHANED && r.wanted() != null) {
          want = r.wanted();
          continue;
        }
        if (r.penalise()) {
          counters.increment(SyncCounter.INVALID_RESPONSES);
          host.penalize(peer, SyncFailure.Kind.INVALID.penalty(), "invalid ancestor " + r.detail());
        }
        deeper = false;
        break;
      }
    } catch (SyncFailure f) {
      if (f.kind() == SyncFailure.Kind.INVALID) {
        counters.increment(SyncCounter.INVALID_RESPONSES);
      } else if (f.kind() == SyncFailure.Kind.TIMEOUT) {
        counters.increment(SyncCounter.TIMEOUTS);
      }
      if (f.kind().penalty() > 0) {
        host.penalize(peer, f.kind().penalty(), "sync: " + f.getMessage());
      } else if (f.kind() == SyncFailure.Kind.UNAVAILABLE) {
        // It gossiped (so claims to have validated) a block whose ancestry it cannot serve: an
        // honest relay stores every block it forwards and all of its ancestors.
        host.penalize(
            peer,
            UNBACKED_ORPHAN_PENALTY,
            "sync: cannot serve " + want + ", an ancestor of a block it gossiped");
      }
      deeper = f.kind() == SyncFailure.Kind.UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      LOG.debug("ancestor fetch from {} failed: {}", peer.shortString(), e.toString());
    }
    post(new SyncEvent.OrphanDone(peer, wanted, deeper));
  }
}
