package dev.cairn.node.sync;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One sync round's body download: the verified headers of the source's {@link HeaderPresync}, cut
 * into batches of hashes that are fetched from peers and imported in order. At most {@link
 * SyncConfig#maxBufferedBatches} batches wait for import at once (memory: that many × batch size ×
 * block size). Owned by {@link SyncState}'s thread.
 */
final class BodyDownload {
  enum State {
    PENDING,
    REQUESTED,
    DONE,
    IMPORTING,
    IMPORTED
  }

  static final class Batch {
    final int index;
    final List<Hash> hashes;
    final List<Block> blocks = new ArrayList<>();
    final Set<PeerId> tried = new HashSet<>();
    State state = State.PENDING;
    PeerId peer;
    int attempts;

    Batch(int index, List<Hash> hashes) {
      this.index = index;
      this.hashes = hashes;
    }

    /** The hashes not yet fetched (a peer may answer a prefix). */
    List<Hash> remaining() {
      return List.copyOf(hashes.subList(blocks.size(), hashes.size()));
    }
  }

  final long id;
  final HeaderPresync source;

  /** Our work when the round started: peers that announce more may serve bodies. */
  final BigInteger startWork;

  final List<Batch> batches = new ArrayList<>();
  final Set<PeerId> bad = new HashSet<>();
  int nextImport;
  int inFlight;
  long lastProgress;
  long targetHeight;

  BodyDownload(long id, HeaderPresync source, BigInteger startWork, long target, long now) {
    this.id = id;
    this.source = source;
    this.startWork = startWork;
    this.targetHeight = target;
    this.lastProgress = now;
  }

  /** Cuts the source's verified headers into batches while fewer than {@code max} wait. */
  void fill(HeaderPresync src, int batchSize, int max) {
    while (src.readyCount() > 0 && batches.size() - nextImport < max) {
      List<BlockHeader> hs = src.take(batchSize);
      List<Hash> hashes = new ArrayList<>(hs.size());
      for (BlockHeader h : hs) {
        hashes.add(h.hash());
      }
      batches.add(new Batch(batches.size(), List.copyOf(hashes)));
    }
  }
}
