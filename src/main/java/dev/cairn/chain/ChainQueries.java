package dev.cairn.chain;

import static dev.cairn.chain.ChainState.MAX_BLOCKS;
import static dev.cairn.chain.ChainState.MAX_HEADERS;
import static dev.cairn.chain.ChainState.MAX_LOCATOR;
import static dev.cairn.chain.ChainState.MAX_RANGE_BYTES;

import dev.cairn.chain.consensus.Difficulty;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.TimeRules;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.AccountReader;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoredHeader;
import dev.cairn.chain.store.TxLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chain's read-only answers: blocks and headers of the canonical chain, locators, transaction
 * lookups, fork bases for sync and block templates for the miner. Part of {@link ChainState}, on
 * its owner thread (the index it reads is the owner's).
 *
 * <p>A record of the parts it reads: it holds no state of its own.
 */
record ChainQueries(
    NetworkParams params,
    ChainStore store,
    AccountReader accounts,
    HeaderIndex index,
    Mempool mempool) {

  /** See {@link ChainState#blockAt}. */
  Optional<Block> blockAt(long height) {
    if (height < 0 || height >= index.canonicalSize()) {
      return Optional.empty();
    }
    return store.block(index.canonicalAt(height));
  }

  /** A canonical transaction with its place, or a pooled one. */
  Optional<TxLookup> transaction(Hash id) {
    Optional<TxLocation> loc = store.txLocation(id);
    if (loc.isPresent()) {
      StoredHeader e = index.get(loc.get().block());
      Block b = store.block(loc.get().block()).orElseThrow();
      int i = loc.get().index();
      return Optional.of(new TxLookup(b.transactions().get(i), e.hash(), e.height(), i));
    }
    return mempool.get(id).map(tx -> new TxLookup(tx, null, -1, -1));
  }

  /** See {@link ChainState#forkBase}. */
  Optional<ForkBase> forkBase(Hash hash, long now) {
    StoredHeader e = index.get(hash);
    if (e == null || e.status() == BlockStatus.INVALID) {
      return Optional.empty();
    }
    HeaderContext c = index.context(e, now);
    return Optional.of(
        new ForkBase(e.header(), e.cumulativeWork(), c.anchorTimestamp(), c.recentTimestamps()));
  }

  /** See {@link ChainState#locator}. */
  List<Hash> locator() {
    List<Hash> out = new ArrayList<>();
    long step = 1;
    long h = index.head().height();
    while (h > 0) {
      out.add(index.canonicalAt(h));
      if (out.size() >= 10) {
        step *= 2;
      }
      h -= step;
    }
    out.add(index.genesisHash());
    return out;
  }

  /** See {@link ChainState#headersAfter}. */
  List<BlockHeader> headersAfter(List<Hash> locator, int max) {
    long start = 1;
    for (Hash h : locator.subList(0, Math.min(locator.size(), MAX_LOCATOR))) {
      if (index.isCanonical(h)) {
        start = index.get(h).height() + 1;
        break;
      }
    }
    int n = Math.max(0, Math.min(max, MAX_HEADERS));
    List<BlockHeader> out = new ArrayList<>();
    for (long height = start; height < index.canonicalSize() && out.size() < n; height++) {
      out.add(index.get(index.canonicalAt(height)).header());
    }
    return out;
  }

  /** See {@link ChainState#blocksByRange(long, int, long)}. */
  List<Block> blocksByRange(long from, int count, long maxBytes) {
    List<Block> out = new ArrayList<>();
    int n = Math.max(0, Math.min(count, MAX_BLOCKS));
    long budget = Math.min(maxBytes, MAX_RANGE_BYTES);
    long bytes = 0;
    for (long height = Math.max(0, from);
        height < index.canonicalSize() && out.size() < n;
        height++) {
      Block b = store.block(index.canonicalAt(height)).orElseThrow();
      bytes += b.encodedSize();
      if (!out.isEmpty() && bytes > budget) {
        break;
      }
      out.add(b);
    }
    return out;
  }

  /** As {@link ChainCommand.GetBlocks}: stored blocks by hash, stopping at the first unknown. */
  List<Block> blocks(List<Hash> hashes, long maxBytes) {
    List<Block> out = new ArrayList<>();
    long bytes = 0;
    for (Hash h : hashes) {
      if (out.size() >= MAX_BLOCKS) {
        break;
      }
      Optional<Block> b = store.block(h);
      if (b.isEmpty()) {
        break;
      }
      bytes += b.get().encodedSize();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(b.get());
    }
    return out;
  }

  /** A snapshot of the head with its last {@code recent} headers (see {@link ChainView}). */
  ChainView view(int recent, int orphans, long version) {
    StoredHeader head = index.head();
    return new ChainView(
        params.name(),
        index.genesisHash(),
        head.hash(),
        head.header(),
        head.cumulativeWork(),
        recentHeaders(recent),
        mempool.size(),
        orphans,
        version);
  }

  /** The last {@code max} canonical headers, oldest first. */
  List<BlockHeader> recentHeaders(int max) {
    int size = index.canonicalSize();
    int n = Math.min(max, size);
    List<BlockHeader> recent = new ArrayList<>(n);
    for (int i = size - n; i < size; i++) {
      recent.add(index.get(index.canonicalAt(i)).header());
    }
    return recent;
  }

  /** See {@link ChainState#template}. */
  Template template(Address miner, long now) {
    StoredHeader head = index.head();
    BlockHeader parent = head.header();
    HeaderContext ctx = index.context(head, now);
    long mtp = TimeRules.medianTimePast(ctx.recentTimestamps());
    long time = Math.max(now, mtp + 1);
    List<Transaction> txs =
        mempool.select(
            accounts,
            Limits.MAX_TRANSACTIONS,
            Limits.MAX_BLOCK_BYTES - ChainCodec.BLOCK_FIXED_BYTES);
    List<Hash> ids = new ArrayList<>(txs.size());
    long fees = 0;
    for (Transaction tx : txs) {
      ids.add(tx.id());
      fees += tx.fee();
    }
    BlockHeader h =
        BlockHeader.child(
            parent,
            Merkle.root(ids),
            miner,
            time,
            Difficulty.nextBits(
                params, parent.height(), parent.timestamp(), ctx.anchorTimestamp()));
    return new Template(h, txs, params.reward(h.height()), fees);
  }
}
