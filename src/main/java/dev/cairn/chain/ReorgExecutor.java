package dev.cairn.chain;

import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.Reorg;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.AccountReader;
import dev.cairn.chain.state.ApplyResult;
import dev.cairn.chain.state.StateTransition;
import dev.cairn.chain.state.Undo;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoreException;
import dev.cairn.chain.store.StoredHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The reorg executor: moves the head to the best valid branch along the path {@link Reorg#plan}
 * computes from the header index, one write batch per step (undo one block and move the head back;
 * apply one block and move the head forward), so that a crash at any instant leaves a consistent
 * store whose next open finishes the switch. Part of {@link ChainState}, on its owner thread.
 *
 * <p>A record of the parts it steps: it holds no state of its own.
 */
record ReorgExecutor(
    NetworkParams params,
    ChainStore store,
    AccountReader accounts,
    HeaderIndex index,
    InvalidBlocks invalid,
    SignatureCache signatures) {
  private static final Logger LOG = LogManager.getLogger();

  /**
   * What a switch did.
   *
   * @param disconnected blocks undone for good, newest first
   * @param connected blocks applied for good, oldest first
   * @param abandoned transactions of the undone blocks, in chain order
   * @param touched accounts the switch wrote
   */
  record Switch(
      List<Hash> disconnected,
      List<Hash> connected,
      List<Transaction> abandoned,
      Set<Address> touched) {}

  /**
   * Moves the head to the best valid branch: while a stored branch has more work than the head
   * (whatever its depth), undo to the fork point and apply the branch block by block; a block that
   * fails is marked invalid with its descendants and the choice starts over (which restores the
   * best valid chain).
   */
  Switch activateBestChain() {
    List<Hash> disconnected = new ArrayList<>();
    List<Hash> connected = new ArrayList<>();
    Set<Address> touched = new LinkedHashSet<>();
    // Sets beside the lists and a deque for the transactions keep a reorg of any depth linear.
    Set<Hash> connectedSet = new HashSet<>();
    Set<Hash> disconnectedSet = new HashSet<>();
    ArrayDeque<Transaction> undone = new ArrayDeque<>();
    for (StoredHeader best; (best = index.bestCandidate()) != null; ) {
      Reorg plan = plan(best);
      for (int i = 0; i < plan.disconnect().size(); i++) {
        Block b = disconnectHead(touched);
        Hash bh = b.hash();
        if (connectedSet.remove(bh)) {
          // connected earlier in this activation and now undone again: not a net change
          connected.remove(bh);
        } else {
          disconnected.add(bh);
          disconnectedSet.add(bh);
        }
        List<Transaction> txs = b.transactions();
        for (int t = txs.size() - 1; t >= 0; t--) {
          undone.addFirst(txs.get(t));
        }
      }
      for (Hash h : plan.connect()) {
        StoredHeader e = index.get(h);
        Block b = store.block(h).orElseThrow(() -> new StoreException("body missing: " + h));
        ApplyResult ar = StateTransition.applyBlock(b, accounts, params, signatures);
        if (ar instanceof ApplyResult.Rejected r) {
          InvalidBlocks.Failure f = InvalidBlocks.Failure.of(r);
          LOG.debug("block {} fails on its branch: {} {}", h, f.reason(), f.detail());
          invalidate(e, f);
          break;
        }
        ApplyResult.Applied applied = (ApplyResult.Applied) ar;
        writeConnect(store.batch(), e, b, applied);
        index.moveHeadForward(e);
        touched.addAll(applied.delta().writes().keySet());
        if (disconnectedSet.remove(h)) {
          disconnected.remove(h);
        } else {
          connected.add(h);
          connectedSet.add(h);
        }
      }
    }
    return new Switch(disconnected, connected, new ArrayList<>(undone), touched);
  }

  /** The path from the head to {@code best}; the index holds every header on it. */
  private Reorg plan(StoredHeader best) {
    Reorg.Result r =
        Reorg.plan(
            h -> Optional.ofNullable(index.get(h)).map(StoredHeader::header),
            index.head().hash(),
            best.hash());
    return switch (r) {
      case Reorg.Result.Planned(Reorg reorg) -> reorg;
      case Reorg.Result.Failed(Reorg.Failure failure, Hash at) ->
          throw new StoreException("inconsistent store: no path to " + best.hash() + " at " + at);
    };
  }

  /**
   * Writes the batch {@code b} (which may already hold the block and its header) that makes the
   * child {@code entry} of the head the valid head with its state applied; the caller then moves
   * the index's head.
   */
  void writeConnect(
      ChainStore.Batch b, StoredHeader entry, Block block, ApplyResult.Applied applied) {
    List<Hash> ids = new ArrayList<>(block.transactions().size());
    for (Transaction tx : block.transactions()) {
      ids.add(tx.id());
    }
    b.putHeader(entry.withStatus(BlockStatus.VALID))
        .putCanonical(entry.height(), entry.hash())
        .putAccounts(applied.delta())
        .putUndo(applied.undo())
        .indexTransactions(entry.hash(), ids)
        .putHead(entry.hash());
    store.write(b, true);
  }

  private Block disconnectHead(Set<Address> touched) {
    StoredHeader head = index.head();
    Hash h = head.hash();
    Block b = store.block(h).orElseThrow(() -> new StoreException("head body missing: " + h));
    Undo u = store.undo(h).orElseThrow(() -> new StoreException("no undo data for " + h));
    ChainStore.Batch batch =
        store
            .batch()
            .revert(u)
            .deleteUndo(h)
            .deleteCanonical(head.height())
            .unindexTransactions(b.transactions())
            .putHead(head.header().parent());
    store.write(batch, true);
    touched.addAll(u.previous().keySet());
    index.moveHeadBack();
    return b;
  }

  /** Marks {@code e} and every descendant invalid, in one batch. */
  private void invalidate(StoredHeader e, InvalidBlocks.Failure reason) {
    invalid.remember(e.hash(), reason);
    ChainStore.Batch b = store.batch();
    ArrayDeque<Hash> todo = new ArrayDeque<>();
    todo.add(e.hash());
    while (!todo.isEmpty()) {
      Hash h = todo.poll();
      StoredHeader x = index.get(h);
      if (x.status() != BlockStatus.INVALID) {
        StoredHeader bad = x.withStatus(BlockStatus.INVALID);
        index.replace(bad);
        b.putHeader(bad);
      }
      todo.addAll(index.children(h));
    }
    store.write(b, false);
  }
}
