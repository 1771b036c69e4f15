package dev.cairn.node.gossip;

import static dev.cairn.node.gossip.GossipPublisher.CLOSE_TIMEOUT;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.HeadChange;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.metrics.Metrics;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.protocol.CairnProtocols;
import dev.cairn.node.sync.SyncRpc;
import dev.cairn.p2p.gossip.GossipMessage;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.gossip.PublishResult;
import dev.cairn.p2p.gossip.ValidationResult;
import dev.cairn.p2p.host.Host;
import dev.cairn.p2p.multiformats.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The chain's gossip topics, {@code /cairn/<network>/blocks/1} and {@code /cairn/<network>/txs/1}:
 * validators that feed the chain service, and publishing of our own blocks and transactions.
 *
 * <p>Validation (on the router's worker threads, never blocking): cheap checks first — size,
 * decoding, proof of work and Merkle root for a block — then the chain service's non-blocking
 * {@code offer}. REJECT (the sender loses gossip score and host standing) for what is provably
 * invalid; IGNORE for duplicates, stale or not-yet-acceptable data; IGNORE without remembering the
 * message ({@link ValidationResult#retryLater}) when the chain was too busy to look at it; ACCEPT
 * (delivered and forwarded) for what was imported or pooled. An orphaned block is IGNOREd and its
 * missing ancestor is fetched from the peer that sent it (through {@code onOrphan}).
 *
 * <p>Blocks travel compact ({@link CompactBlock}: the header and a short id per transaction). A
 * compact block's header must show its proof of work before anything else is done for it; then
 * {@link CompactRelay} rebuilds the body from the mempool and fetches what is missing from the
 * sender (or the whole block, from it or other peers), and the block is validated exactly as a full
 * one. Full blocks (from older nodes) are still accepted on the same topic.
 *
 * <p>Consequences for the sender of a block: an invalid block (any REJECT: an honest peer validates
 * before it forwards, and block validity does not depend on the receiver's state) gets it banned
 * for {@link #INVALID_BLOCK_BAN} at once; a light-branch block is IGNOREd and counted by a {@link
 * LightBranchMeter}, and each one past the meter's allowance costs {@link #LIGHT_BRANCH_PENALTY}
 * host standing.
 *
 * <p>The transactions topic (its validator and publishing) is {@link TxGossip}; the publisher
 * threads are {@link GossipPublisher}; the compact rebuild is {@link CompactRelay}.
 */
public final class NodeGossip {
  private static final Logger LOG = LogManager.getLogger();

  /** How long a peer that sent us an invalid block is banned. */
  public static final Duration INVALID_BLOCK_BAN = Duration.ofHours(1);

  /** Host standing lost per light-branch block past the {@link LightBranchMeter}'s allowance. */
  public static final int LIGHT_BRANCH_PENALTY = 5;

  /**
   * What a misbehaving sender costs it: the host's penalize and ban in production, a recorder in
   * tests. Called from the chain's reply threads and the router's workers: must not block.
   */
  interface Penalties {
    void penalize(PeerId peer, int points, String reason);

    void ban(PeerId peer, Duration duration, String reason);

    /** The host's, each call on a publisher thread (the host's mailbox may push back). */
    static Penalties of(Host host, GossipPublisher publisher) {
      return new Penalties() {
        @Override
        public void penalize(PeerId peer, int points, String reason) {
          publisher.run(() -> host.penalize(peer, points, reason));
        }

        @Override
        public void ban(PeerId peer, Duration duration, String reason) {
          publisher.run(() -> host.ban(peer, duration, reason));
        }
      };
    }
  }

  private final GossipRouter router;
  private final ChainService chain;
  private final String blocksTopic;
  private final BiConsumer<PeerId, Hash> onOrphan;
  private final Penalties penalties;
  private final GossipPublisher publisher;
  private final NodeMetrics metrics;
  private final TxGossip txs;
  private final Consumer<HeadChange> onHeadChange;
  private final LightBranchMeter lightBranches;
  private final LongSupplier millis;

  /** The threads that rebuild compact blocks (each may wait on fetches): {@code compact-relay}. */
  private final GossipPublisher relayThreads = new GossipPublisher("compact-relay");

  private final CompactRelay relay;

  /** Accepted, ignored and rejected blocks (the transactions' are {@link #txs}'). */
  private final VerdictCounts blocks;

  NodeGossip(
      GossipRouter router,
      ChainService chain,
      String network,
      BiConsumer<PeerId, Hash> onOrphan,
      Penalties penalties,
      LongSupplier millis) {
    this(
        router,
        chain,
        network,
        onOrphan,
        penalties,
        millis,
        new GossipPublisher(),
        new NodeMetrics(new Metrics()),
        CompactRelay.Fetcher.none());
  }

  private NodeGossip(
      GossipRouter router,
      ChainService chain,
      String network,
      BiConsumer<PeerId, Hash> onOrphan,
      Penalties penalties,
      LongSupplier millis,
      GossipPublisher publisher,
      NodeMetrics metrics,
      CompactRelay.Fetcher fetcher) {
    this.router = router;
    this.lightBranches = new LightBranchMeter(router.host().peerId().shortString());
    this.publisher = publisher;
    this.metrics = metrics;
    this.chain = chain;
    this.blocksTopic = blocksTopic(network);
    this.onOrphan = onOrphan;
    this.penalties = penalties;
    this.millis = millis;
    this.blocks = new VerdictCounts("blocks", metrics);
    this.txs =
        new TxGossip(
            router, chain, txsTopic(network), publisher, new VerdictCounts("txs", metrics));
    this.onHeadChange = txs::onHeadChange;
    this.relay =
        new CompactRelay(
            this::pooled, fetcher, penalties::penalize, this::blockPeers, System::nanoTime);
  }

  /** Our mempool with each transaction's id, for rebuilding compact blocks. */
  private List<Map.Entry<Hash, Transaction>> pooled() throws IOException {
    try {
      return chain.mempoolWithIds().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("mempool: " + e, e);
    }
  }

  /** Peers that may hold a block: our blocks mesh first, then the topic's other peers. */
  private Collection<PeerId> blockPeers() {
    LinkedHashSet<PeerId> peers = new LinkedHashSet<>(router.meshPeers(blocksTopic));
    peers.addAll(router.topicPeers(blocksTopic));
    return peers;
  }

  /** The compact blocks' rebuilder (counters for tests and metrics). */
  public CompactRelay relay() {
    return relay;
  }

  /** The blocks topic of {@code network} ({@link CairnProtocols#blocksTopic}). */
  public static String blocksTopic(String network) {
    return CairnProtocols.of(network).blocksTopic();
  }

  /** The transactions topic of {@code network} ({@link CairnProtocols#txsTopic}). */
  public static String txsTopic(String network) {
    return CairnProtocols.of(network).txsTopic();
  }

  /**
   * Installs the validators and joins both topics. {@code onOrphan} hears (sender, missing
   * ancestor) for each orphaned block; it must not block.
   */
  public static NodeGossip start(
      GossipRouter router,
      ChainService chain,
      String network,
      BiConsumer<PeerId, Hash> onOrphan,
      SyncRpc rpc) {
    return start(router, chain, network, onOrphan, rpc, new NodeMetrics(new Metrics()));
  }

  /**
   * As {@link #start(GossipRouter, ChainService, String, BiConsumer, SyncRpc)}, recording each
   * verdict and each block imported from gossip in {@code metrics}. {@code rpc} fetches what
   * compact blocks lack.
   */
  public static NodeGossip start(
      GossipRouter router,
      ChainService chain,
      String network,
      BiConsumer<PeerId, Hash> onOrphan,
      SyncRpc rpc,
      NodeMetrics metrics) {
    GossipPublisher publisher = new GossipPublisher();
    NodeGossip g =
        new NodeGossip(
            router,
            chain,
            network,
            onOrphan,
            Penalties.of(router.host(), publisher),
            () -> System.nanoTime() / 1_000_000,
            publisher,
            metrics,
            CompactRelay.Fetcher.of(rpc));
    router.setValidator(g.blocksTopic, metrics.timedValidator("blocks", g::validateBlock));
    router.setValidator(g.txs.topic(), metrics.timedValidator("txs", g::validateTransaction));
    // Validation did the work (import, pooling); delivery has nothing left to do.
    router.subscribe(g.blocksTopic, m -> {});
    router.subscribe(g.txs.topic(), m -> {});
    chain
        .subscribeHeadChanges(g.onHeadChange)
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn("Reorg transaction re-publishing not available: {}", e.toString());
              }
            });
    return g;
  }

  /**
   * Stops publishing: no more head-change work, new publishes are dropped, running ones are
   * interrupted and waited for. Call it before closing the router, the host or the chain (a
   * publisher thread waits on all three). The router's validators stay installed until the router
   * closes.
   */
  public void close() {
    chain.unsubscribeHeadChanges(onHeadChange);
    relayThreads.close();
    publisher.close();
    lightBranches.close();
  }

  /**
   * Publishes a block we made or imported ourselves (the miner's), compact: our peers fetch from us
   * the transactions they lack, so it must be in our chain first. May wait for the router.
   */
  public CompletableFuture<PublishResult> publishBlock(Block block) {
    return router.publish(blocksTopic, CompactCodec.encode(CompactBlock.of(block)));
  }

  /**
   * Publishes {@code block} from a publisher thread, which waits for the router's answer (so that
   * {@link #close} waits for it too): for callers that must not block.
   */
  public void publishBlockLater(Block block) {
    publisher.run(
        () -> {
          try {
            publishBlock(block).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("publishing stopped before block {} went out", block.hash());
          } catch (ExecutionException | TimeoutException e) {
            publisher.failed("block " + block.hash(), e);
          }
        });
  }

  /** Publishes a transaction that our chain service accepted. */
  public CompletableFuture<PublishResult> publishTransaction(Transaction tx) {
    return txs.publish(tx);
  }

  /**
   * Submits a local transaction (the API's) to the chain and, if it was pooled as executable,
   * publishes it (with any queued transactions it made executable); a transaction queued behind a
   * nonce gap is published when it is promoted. The future completes with the chain's answer; a
   * failed publish is logged (the transaction stays pooled and goes into our blocks anyway).
   */
  public CompletableFuture<Mempool.Admission> submitTransaction(Transaction tx) {
    return txs.submit(tx);
  }

  /** Messages accepted on the blocks ({@code true}) or transactions topic. */
  public long accepted(boolean blocks) {
    return (blocks ? this.blocks : txs.counts()).accepted();
  }

  public long ignored(boolean blocks) {
    return (blocks ? this.blocks : txs.counts()).ignored();
  }

  public long rejected(boolean blocks) {
    return (blocks ? this.blocks : txs.counts()).rejected();
  }

  private ValidationResult count(ValidationResult r) {
    return blocks.count(r);
  }

  // ---- blocks

  CompletableFuture<ValidationResult> validateBlock(GossipMessage m) {
    if (CompactCodec.isCompact(m.data())) {
      return validateCompact(m);
    }
    ValidationResult cheap = null;
    Block block = null;
    if (m.data().length > Limits.MAX_BLOCK_BYTES) {
      cheap = ValidationResult.reject("block of " + m.data().length + " bytes");
    } else {
      try {
        block = ChainCodec.decodeBlock(m.data());
        int bits = block.header().bits();
        if (!CompactTarget.isCanonical(bits) || !ProofOfWork.meetsTarget(block.header())) {
          cheap = ValidationResult.reject("insufficient proof of work");
        } else if (!block.computeMerkleRoot().equals(block.header().merkleRoot())) {
          cheap = ValidationResult.reject("bad Merkle root");
        }
      } catch (DecodeException e) {
        cheap = ValidationResult.reject("undecodable block: " + e.getMessage());
      }
    }
    if (cheap != null) {
      LOG.debug("block from {}: {}", m.receivedFrom().shortString(), cheap);
      invalidBlock(m.receivedFrom(), ((ValidationResult.Reject) cheap).reason());
      return CompletableFuture.completedFuture(count(cheap));
    }
    return offer(block, m.receivedFrom());
  }

  /**
   * A compact block: decoded and its header's proof of work checked here, on the router's worker,
   * before anything is fetched (so a fake announcement costs its sender the work); then rebuilt on
   * a {@code compact-relay} thread, which may wait on fetches, and offered as a full block.
   */
  private CompletableFuture<ValidationResult> validateCompact(GossipMessage m) {
    PeerId from = m.receivedFrom();
    CompactBlock compact;
    try {
      compact = CompactCodec.decode(m.data());
    } catch (DecodeException e) {
      return rejectBlock(from, "undecodable compact block: " + e.getMessage());
    }
    int bits = compact.header().bits();
    if (!CompactTarget.isCanonical(bits) || !ProofOfWork.meetsTarget(compact.header())) {
      return rejectBlock(from, "insufficient proof of work");
    }
    CompletableFuture<ValidationResult> verdict = new CompletableFuture<>();
    relayThreads.run(
        () -> {
          try {
            verdict.complete(rebuildAndOffer(compact, from));
          } catch (RuntimeException e) {
            verdict.completeExceptionally(e);
          }
        });
    if (relayThreads.closed()) {
      verdict.complete(ValidationResult.retryLater("stopping"));
    }
    return verdict;
  }

  private CompletableFuture<ValidationResult> rejectBlock(PeerId from, String reason) {
    ValidationResult r = ValidationResult.reject(reason);
    LOG.debug("block from {}: {}", from.shortString(), r);
    invalidBlock(from, reason);
    return CompletableFuture.completedFuture(count(r));
  }

  /** On a relay thread: the block from our mempool and fetches, then offered as a full block. */
  private ValidationResult rebuildAndOffer(CompactBlock compact, PeerId from) {
    try {
      // Known already (a copy in another encoding, or our own): nothing to fetch.
      if (chain.forkBase(compact.hash()).get(10, TimeUnit.SECONDS).isPresent()) {
        return count(ValidationResult.ignore("DUPLICATE compact block"));
      }
      Optional<CompactRelay.Obtained> got = relay.obtain(compact, from);
      if (got.isEmpty()) {
        // Not judged: a later copy from an honest peer is tried again.
        return count(ValidationResult.retryLater("block " + compact.hash() + " not obtained"));
      }
      Block block = got.get().block();
      ValidationResult r = offer(block, from).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (r instanceof ValidationResult.Accept && !got.get().faithful()) {
        // Valid block, false short ids: relay a true announcement of our own instead.
        publishBlockLater(block);
        return ValidationResult.ignore("announcement with wrong short ids");
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ValidationResult.retryLater("stopping");
    } catch (IOException | ExecutionException | TimeoutException e) {
      LOG.debug("compact block {}: {}", compact.hash(), e.toString());
      return count(ValidationResult.retryLater("chain busy: " + e));
    }
  }

  /** A decoded block whose proof of work and Merkle root are checked: the chain's verdict. */
  private CompletableFuture<ValidationResult> offer(Block offered, PeerId from) {
    long arrived = chain.clock().millis();
    return metrics
        .timeImport("gossip", () -> chain.offerBlock(offered, "gossip " + from.shortString()))
        .thenApply(
            r -> {
              if (r.imported()) {
                metrics.blockArrived(offered.header().timestamp(), arrived);
              }
              return count(verdict(r, from));
            });
  }

  ValidationResult verdict(ImportResult r, PeerId from) {
    return switch (r.outcome()) {
      case IMPORTED_HEAD, IMPORTED_SIDE -> {
        metrics.blockImported("gossip");
        yield ValidationResult.ACCEPT;
      }
      case ORPHANED -> {
        if (r.wanted() != null) {
          onOrphan.accept(from, r.wanted());
        }
        yield ValidationResult.ignore("orphan");
      }
      case DUPLICATE, IGNORED -> ValidationResult.ignore(r.outcome() + " " + r.detail());
      case LIGHT_BRANCH -> {
        if (lightBranches.record(from, millis.getAsLong())) {
          penalties.penalize(
              from, LIGHT_BRANCH_PENALTY, "gossip: keeps sending light-branch blocks");
        }
        yield ValidationResult.ignore(r.outcome() + " " + r.detail());
      }
      // Not looked at: forget the id so that a copy arriving when the chain has room is judged.
      case BUSY -> ValidationResult.retryLater(r.outcome() + " " + r.detail());
      case INVALID, INVALID_ANCESTOR -> {
        String reason = r.outcome() + " " + r.reason() + " " + r.detail();
        invalidBlock(from, reason);
        yield ValidationResult.reject(reason);
      }
    };
  }

  /** An honest peer never forwards an invalid block: disconnect and ban its sender at once. */
  private void invalidBlock(PeerId from, String reason) {
    LOG.debug("invalid block from {}: {}; banning it", from.shortString(), reason);
    penalties.ban(from, INVALID_BLOCK_BAN, "gossip: invalid block: " + reason);
  }

  // ---- transactions

  CompletableFuture<ValidationResult> validateTransaction(GossipMessage m) {
    return txs.validate(m);
  }
}
