package dev.cairn.chain;

import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.state.InMemoryAccounts;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoreException;
import dev.cairn.chain.store.StoredHeader;
import java.util.Arrays;
import java.util.List;

/**
 * The store check on open: a new store gets genesis; an existing one must belong to the network,
 * its head must be indexed, its canonical index must walk back from the head to genesis along
 * parent hashes, and its accounts must hold exactly the supply the canonical chain created. Any
 * failure is a {@link StoreException} that names what is inconsistent.
 */
final class StoreCheck {
  private StoreCheck() {}

  /** Initialises or checks {@code store}; the header index at its checked head. */
  static HeaderIndex open(NetworkParams params, ChainStore store) {
    Hash genesisHash = params.genesisHeader().hash();
    if (store.head().isEmpty()) {
      initialiseGenesis(params, store, genesisHash);
    } else {
      Hash g = store.genesis().orElseThrow(() -> new StoreException("store has no genesis"));
      if (!g.equals(genesisHash)) {
        throw new StoreException(
            "store in " + store.dir() + " belongs to another network (genesis " + g + ")");
      }
    }
    HeaderIndex index = new HeaderIndex(store, genesisHash);
    Hash h = store.head().orElseThrow();
    StoredHeader head = index.get(h);
    if (head == null) {
      throw new StoreException("head " + h + " is not in the header index");
    }
    index.openAt(head, verifyCanonical(store, index, head));
    verifySupply(params, store, head.height());
    return index;
  }

  private static void initialiseGenesis(NetworkParams params, ChainStore store, Hash genesisHash) {
    BlockHeader g = params.genesisHeader();
    Block genesis = new Block(g, List.of());
    StoredHeader entry =
        new StoredHeader(genesisHash, g, CompactTarget.work(g.bits()), BlockStatus.VALID);
    ChainStore.Batch b =
        store
            .batch()
            .putBlock(genesisHash, genesis)
            .putHeader(entry)
            .putCanonical(0, genesisHash)
            .putGenesis(genesisHash)
            .putHead(genesisHash);
    InMemoryAccounts.genesis(params).accounts().forEach(b::putAccount);
    store.write(b, true);
  }

  /** The canonical index walks back from the head to genesis along parent hashes. */
  private static List<Hash> verifyCanonical(
      ChainStore store, HeaderIndex index, StoredHeader head) {
    int n = Math.toIntExact(head.height() + 1);
    Hash[] hashes = new Hash[n];
    StoredHeader e = head;
    for (int height = n - 1; height >= 0; height--) {
      if (e == null || e.height() != height) {
        throw new StoreException("inconsistent store: broken parent chain at height " + height);
      }
      Hash stored = store.canonical(height).orElse(null);
      if (!e.hash().equals(stored)) {
        throw new StoreException(
            "inconsistent store: canonical index at "
                + height
                + " is "
                + stored
                + ", not "
                + e.hash());
      }
      if (e.status() != BlockStatus.VALID) {
        throw new StoreException(
            "inconsistent store: canonical block " + e.hash() + " is " + e.status());
      }
      hashes[height] = e.hash();
      e = height == 0 ? null : index.parent(e);
    }
    if (!hashes[0].equals(index.genesisHash())) {
      throw new StoreException("inconsistent store: canonical chain does not start at genesis");
    }
    if (store.canonical(n).isPresent()) {
      throw new StoreException("inconsistent store: canonical index goes past the head");
    }
    if (n > 1 && store.undo(head.hash()).isEmpty()) {
      throw new StoreException("inconsistent store: no undo data for the head");
    }
    return Arrays.asList(hashes);
  }

  /** Total balances equal genesis supply plus the rewards of the canonical blocks. */
  private static void verifySupply(NetworkParams params, ChainStore store, long headHeight) {
    long expected = params.genesisSupply();
    for (long h = 1; h <= headHeight; h++) {
      expected = Math.addExact(expected, params.reward(h));
    }
    long[] total = {0};
    store.forEachAccount((a, acc) -> total[0] = Math.addExact(total[0], acc.balance()));
    if (total[0] != expected) {
      throw new StoreException(
          "inconsistent store: accounts hold " + total[0] + ", the chain created " + expected);
    }
  }
}
