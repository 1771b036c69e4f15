package dev.cairn.node.gossip;

import dev.cairn.chain.ChainService;
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
import dev.cairn.p2p.gossip.GossipMessage;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.gossip.PublishResult;
import dev.cairn.p2p.gossip.ValidationResult;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The chain's gossip topics, {@code /cairn/<network>/blocks/1} and {@code /cairn/<network>/txs/1}:
 * validators that feed the chain service, and publishing of our own blocks and transactions.
 *
 * <p>Validation (on the router's worker threads, never blocking): cheap checks first — size,
 * decoding, proof of work and Merkle root for a block — then the chain service's non-blocking
 * {@code offer}. REJECT (the sender loses gossip score) for what is provably invalid; IGNORE for
 * duplicates, stale or not-yet-acceptable data and a busy chain; ACCEPT (delivered and forwarded)
 * for what was imported or pooled. An orphaned block is IGNOREd and its missing ancestor is fetched
 * from the peer that sent it (through {@code onOrphan}).
 */
public final class NodeGossip {
  private static final Logger LOG = LogManager.getLogger();

  /** Runs a publish on its own virtual thread, off the chain owner's. */
  private static final java.util.concurrent.Executor PUBLISHER =
      r -> Thread.ofVirtual().name("gossip-publish").start(r);

  private final GossipRouter router;
  private final ChainService chain;
  private final String blocksTopic;
  private final String txsTopic;
  private final BiConsumer<PeerId, Hash> onOrphan;

  /** Accepted, ignored and rejected messages per topic: blocks then transactions. */
  private final LongAdder[] counts = new LongAdder[6];

  private NodeGossip(
      GossipRouter router, ChainService chain, String network, BiConsumer<PeerId, Hash> onOrphan) {
    this.router = router;
    this.chain = chain;
    this.blocksTopic = blocksTopic(network);
    this.txsTopic = txsTopic(network);
    this.onOrphan = onOrphan;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** The blocks topic of {@code network}. */
  public static String blocksTopic(String network) {
    return "/cairn/" + network + "/blocks/1";
  }

  /** The transactions topic of {@code network}. */
  public static String txsTopic(String network) {
    return "/cairn/" + network + "/txs/1";
  }

  /**
   * Installs the validators and joins both topics. {@code onOrphan} hears (sender, missing
   * ancestor) for each orphaned block; it must not block.
   */
  public static NodeGossip start(
      GossipRouter router, ChainService chain, String network, BiConsumer<PeerId, Hash> onOrphan) {
    NodeGossip g = new NodeGossip(router, chain, network, onOrphan);
    router.setValidator(g.blocksTopic, g::validateBlock);
    router.setValidator(g.txsTopic, g::validateTransaction);
    // Validation did the work (import, pooling); delivery has nothing left to do.
    router.subscribe(g.blocksTopic, m -> {});
    router.subscribe(g.txsTopic, m -> {});
    chain
        .subscribeHeadChanges(
            c -> {
              if (c.isReorg()) {
                PUBLISHER.execute(() -> g.republishAbandoned(c.disconnected()));
              }
              if (!c.promoted().isEmpty()) {
                PUBLISHER.execute(() -> g.publishPromoted(c.promoted()));
              }
            })
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn("Reorg transaction re-publishing not available: {}", e.toString());
              }
            });
    return g;
  }

  /**
   * After a reorg, publishes again the transactions of the abandoned blocks that went back to our
   * pool. The peers that mined or synced the winning branch never saw them: without this, they
   * would stay in the pools of the losing side only, and be mined only if one of those nodes mines.
   * Runs on a publisher thread (it waits on the chain owner and the router).
   */
  private void republishAbandoned(List<Hash> blocks) {
    int again = 0;
    try {
      for (Hash h : blocks) {
        Block b = chain.block(h).get(10, TimeUnit.SECONDS).orElse(null);
        if (b == null) {
          continue;
        }
        for (Transaction tx : b.transactions()) {
          var found = chain.transaction(tx.id()).get(10, TimeUnit.SECONDS);
          if (found.isPresent() && found.get().pending()) {
            router.publishAgain(txsTopic, ChainCodec.encode(tx)).get(10, TimeUnit.SECONDS);
            again++;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Could not re-publish the transactions of abandoned blocks: {}", e.toString());
    }
    if (again > 0) {
      LOG.info("Reorg: published {} transactions of abandoned blocks again", again);
    }
  }

  /**
   * Publishes transactions that waited in the mempool's gap queue (not relayed then) and are now
   * executable. {@code publishAgain}: the router saw them already when it IGNOREd them.
   */
  void publishPromoted(List<Transaction> txs) {
    for (Transaction tx : txs) {
      router
          .publishAgain(txsTopic, ChainCodec.encode(tx))
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  LOG.debug("could not publish promoted transaction {}: {}", tx.id(), e.toString());
                }
              });
    }
  }

  /** Publishes a block we made or imported ourselves (the miner's). May wait for the router. */
  public CompletableFuture<PublishResult> publishBlock(Block block) {
    return router.publish(blocksTopic, ChainCodec.encode(block));
  }

  /** Publishes {@code block} from a virtual thread: for callers that must not block. */
  public void publishBlockLater(Block block) {
    PUBLISHER.execute(
        () ->
            publishBlock(block)
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        LOG.warn("could not publish block {}: {}", block.hash(), e.toString());
                      }
                    }));
  }

  /** Publishes a transaction that our chain service accepted. */
  public CompletableFuture<PublishResult> publishTransaction(Transaction tx) {
    return router.publish(txsTopic, ChainCodec.encode(tx));
  }

  /**
   * Submits a local transaction (the API's) to the chain and, if it was pooled as executable,
   * publishes it (with any queued transactions it made executable); a transaction queued behind a
   * nonce gap is published when it is promoted. The future completes with the chain's answer; a
   * failed publish is logged (the transaction stays pooled and goes into our blocks anyway).
   */
  public CompletableFuture<Mempool.Admission> submitTransaction(Transaction tx) {
    CompletableFuture<Mempool.Admission> f = chain.submitTransaction(tx);
    // The reply completes on the chain owner thread; publishing may wait for the router's mailbox.
    f.thenAcceptAsync(
        a -> {
          if (!a.promoted().isEmpty()) {
            publishPromoted(a.promoted());
          }
          if (a.relayable()) {
            publishTransaction(tx)
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        LOG.warn("could not publish transaction {}: {}", tx.id(), e.toString());
                      }
                    });
          }
        },
        PUBLISHER);
    return f;
  }

  /** Messages accepted on the blocks ({@code true}) or transactions topic. */
  public long accepted(boolean blocks) {
    return counts[blocks ? 0 : 3].sum();
  }

  public long ignored(boolean blocks) {
    return counts[blocks ? 1 : 4].sum();
  }

  public long rejected(boolean blocks) {
    return counts[blocks ? 2 : 5].sum();
  }

  private ValidationResult count(int base, ValidationResult r) {
    int i =
        switch (r) {
          case ValidationResult.Accept a -> 0;
          case ValidationResult.Ignore ig -> 1;
          case ValidationResult.Reject rj -> 2;
        };
    counts[base + i].increment();
    return r;
  }

  // ---- blocks

  CompletableFuture<ValidationResult> validateBlock(GossipMessage m) {
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
      return CompletableFuture.completedFuture(count(0, cheap));
    }
    PeerId from = m.receivedFrom();
    return chain
        .offerBlock(block, "gossip " + from.shortString())
        .thenApply(r -> count(0, verdict(r, from)));
  }

  private ValidationResult verdict(ImportResult r, PeerId from) {
    return switch (r.outcome()) {
      case IMPORTED_HEAD, IMPORTED_SIDE -> ValidationResult.ACCEPT;
      case ORPHANED -> {
        if (r.wanted() != null) {
          onOrphan.accept(from, r.wanted());
        }
        yield ValidationResult.ignore("orphan");
      }
      case DUPLICATE, IGNORED, LIGHT_BRANCH, BUSY ->
          ValidationResult.ignore(r.outcome() + " " + r.detail());
      case INVALID, INVALID_ANCESTOR ->
          ValidationResult.reject(r.outcome() + " " + r.reason() + " " + r.detail());
    };
  }

  // ---- transactions

  CompletableFuture<ValidationResult> validateTransaction(GossipMessage m) {
    if (m.data().length != Limits.TRANSACTION_BYTES) {
      return CompletableFuture.completedFuture(
          count(3, ValidationResult.reject("transaction of " + m.data().length + " bytes")));
    }
    Transaction tx;
    try {
      tx = ChainCodec.decodeTransaction(m.data());
    } catch (DecodeException e) {
      return CompletableFuture.completedFuture(
          count(3, ValidationResult.reject("undecodable transaction: " + e.getMessage())));
    }
    // offerTransaction checks the signature on this (worker) thread, after the cheap checks.
    return chain
        .offerTransaction(tx, "gossip " + m.receivedFrom().shortString())
        .thenApply(
            a -> {
              if (!a.promoted().isEmpty()) {
                PUBLISHER.execute(() -> publishPromoted(a.promoted()));
              }
              return count(3, verdict(a));
            });
  }

  private static ValidationResult verdict(Mempool.Admission a) {
    return switch (a.outcome()) {
      case ADDED, REPLACED -> ValidationResult.ACCEPT;
      // Behind a nonce gap: not relayed until it is executable (then published as promoted).
      case QUEUED -> ValidationResult.ignore("queued behind a nonce gap");
      case DUPLICATE, UNDERPRICED, POOL_FULL, SENDER_FULL, BUSY ->
          ValidationResult.ignore(a.outcome().name());
      case REJECTED ->
          switch (a.reason()) {
            // Stale, not wrong: our state may be ahead of or behind the sender's.
            case NONCE_REPLAYED,
                NONCE_GAP,
                INSUFFICIENT_BALANCE,
                UNKNOWN_SENDER,
                BALANCE_OVERFLOW ->
                ValidationResult.ignore(a.reason().name());
            case null -> ValidationResult.reject("rejected: " + a.detail());
            default -> ValidationResult.reject(a.reason().name());
          };
    };
  }
}
