package dev.cairn.node.gossip;

import static dev.cairn.node.gossip.GossipPublisher.CLOSE_TIMEOUT;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.HeadChange;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The transactions topic, {@code /cairn/<network>/txs/1}: its validator (size and decoding, then
 * the chain service's {@code offerTransaction}), the publishing of local transactions, of those the
 * mempool promoted out of its gap queue and, after a reorg, of those of the abandoned blocks. Part
 * of {@link NodeGossip}, which owns the publisher threads and the router.
 *
 * @param topic the transactions topic
 * @param publisher NodeGossip's publisher threads
 * @param counts the topic's verdicts
 */
record TxGossip(
    GossipRouter router,
    ChainService chain,
    String topic,
    GossipPublisher publisher,
    VerdictCounts counts) {
  private static final Logger LOG = LogManager.getLogger(NodeGossip.class);

  /** On the chain owner thread: hands the work to a publisher thread. */
  void onHeadChange(HeadChange c) {
    if (c.isReorg()) {
      publisher.run(() -> republishAbandoned(c.disconnected()));
    }
    if (!c.promoted().isEmpty()) {
      publisher.run(() -> publishPromoted(c.promoted()));
    }
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
            router.publishAgain(topic, ChainCodec.encode(tx)).get(10, TimeUnit.SECONDS);
            again++;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      if (publisher.closed()) {
        LOG.debug("stopped re-publishing abandoned transactions: {}", e.toString());
        return;
      }
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
          .publishAgain(topic, ChainCodec.encode(tx))
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  LOG.debug("could not publish promoted transaction {}: {}", tx.id(), e.toString());
                }
              });
    }
  }

  /** Publishes a transaction that our chain service accepted. */
  CompletableFuture<PublishResult> publish(Transaction tx) {
    return router.publish(topic, ChainCodec.encode(tx));
  }

  /** See {@link NodeGossip#submitTransaction}. */
  CompletableFuture<Mempool.Admission> submit(Transaction tx) {
    CompletableFuture<Mempool.Admission> f = chain.submitTransaction(tx);
    // The reply completes on the chain owner thread; publishing may wait for the router's mailbox.
    f.thenAccept(
        a ->
            publisher.run(
                () -> {
                  if (!a.promoted().isEmpty()) {
                    publishPromoted(a.promoted());
                  }
                  if (a.relayable()) {
                    try {
                      publish(tx).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } catch (ExecutionException | TimeoutException e) {
                      publisher.failed("transaction " + tx.id(), e);
                    }
                  }
                }));
    return f;
  }

  CompletableFuture<ValidationResult> validate(GossipMessage m) {
    if (m.data().length != Limits.TRANSACTION_BYTES) {
      return CompletableFuture.completedFuture(
          counts.count(ValidationResult.reject("transaction of " + m.data().length + " bytes")));
    }
    Transaction tx;
    try {
      tx = ChainCodec.decodeTransaction(m.data());
    } catch (DecodeException e) {
      return CompletableFuture.completedFuture(
          counts.count(ValidationResult.reject("undecodable transaction: " + e.getMessage())));
    }
    // offerTransaction checks the signature on this (worker) thread, after the cheap checks.
    return chain
        .offerTransaction(tx, "gossip " + m.receivedFrom().shortString())
        .thenApply(
            a -> {
              if (!a.promoted().isEmpty()) {
                publisher.run(() -> publishPromoted(a.promoted()));
              }
              // not looked at: forget the id so that a later copy is judged (no penalty)
              if (a.outcome() == Mempool.Outcome.BUSY) {
                return counts.count(ValidationResult.retryLater(a.outcome().name()));
              }
              return counts.count(verdict(a));
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
