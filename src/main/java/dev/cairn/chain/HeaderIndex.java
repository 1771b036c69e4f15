package dev.cairn.chain;

import dev.cairn.chain.consensus.ForkChoice;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.TimeRules;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.store.BlockStatus;
import dev.cairn.chain.store.ChainStore;
import dev.cairn.chain.store.StoredHeader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The header index in memory: every stored header by hash with its children, the fork-choice
 * candidates (valid or unchecked tips ordered by work), the canonical chain by height, the head,
 * and the retarget anchors of the branches. Part of {@link ChainState}, stepped on its owner thread
 * only; it writes nothing to the store.
 */
final class HeaderIndex {
  private static final Comparator<StoredHeader> CANDIDATE_ORDER =
      Comparator.comparing(StoredHeader::tip, ForkChoice.ORDER);

  private final Map<Hash, StoredHeader> index = new HashMap<>();
  private final Map<Hash, List<Hash>> children = new HashMap<>();
  private final TreeSet<StoredHeader> candidates = new TreeSet<>(CANDIDATE_ORDER);
  private final List<Hash> canonical = new ArrayList<>();
  private final Hash genesisHash;
  private StoredHeader head;

  /**
   * Timestamp of canonical block 1 (the retarget anchor); null until needed or after block 1 is
   * disconnected.
   */
  private Long canonicalAnchorTime;

  /**
   * Retarget anchors of stored side blocks above height 1 whose anchor was looked up (see {@link
   * #anchorTimestamp}); at most one entry per indexed block, so bounded as the index is.
   */
  private final Map<Hash, Long> sideAnchors = new HashMap<>();

  /** Every header of {@code store}; the head and canonical chain are set by {@link #openAt}. */
  HeaderIndex(ChainStore store, Hash genesisHash) {
    this.genesisHash = genesisHash;
    store.forEachHeader(
        e -> {
          index.put(e.hash(), e);
          if (!e.hash().equals(genesisHash)) {
            children.computeIfAbsent(e.header().parent(), k -> new ArrayList<>()).add(e.hash());
          }
          if (e.status() != BlockStatus.INVALID) {
            candidates.add(e);
          }
        });
  }

  /** Sets the head and the canonical chain (genesis first) checked by {@link StoreCheck}. */
  void openAt(StoredHeader head, List<Hash> canonicalHashes) {
    this.head = head;
    canonical.clear();
    canonical.addAll(canonicalHashes);
  }

  /** The genesis hash. */
  Hash genesisHash() {
    return genesisHash;
  }

  /** The entry of {@code hash}, or null. */
  StoredHeader get(Hash hash) {
    return index.get(hash);
  }

  /** The parent's entry of {@code e}, or null. */
  StoredHeader parent(StoredHeader e) {
    return index.get(e.header().parent());
  }

  /** The head's entry. */
  StoredHeader head() {
    return head;
  }

  /** Number of indexed headers. */
  int size() {
    return index.size();
  }

  /** Number of canonical blocks, genesis included (the head's height plus one). */
  int canonicalSize() {
    return canonical.size();
  }

  /** The canonical hash at {@code height} (which must be below {@link #canonicalSize}). */
  Hash canonicalAt(long height) {
    return canonical.get(Math.toIntExact(height));
  }

  /** The children of {@code hash} that are indexed. */
  List<Hash> children(Hash hash) {
    return children.getOrDefault(hash, List.of());
  }

  /** Whether {@code hash} is on the canonical chain. */
  boolean isCanonical(Hash hash) {
    StoredHeader e = index.get(hash);
    return e != null
        && e.height() < canonical.size()
        && canonical.get((int) e.height()).equals(hash);
  }

  /** Adds a new entry. */
  void add(StoredHeader e) {
    index.put(e.hash(), e);
    children.computeIfAbsent(e.header().parent(), k -> new ArrayList<>()).add(e.hash());
    if (e.status() != BlockStatus.INVALID) {
      candidates.add(e);
    }
  }

  /** Replaces an entry (another status). */
  void replace(StoredHeader e) {
    StoredHeader old = index.put(e.hash(), e);
    if (old != null) {
      candidates.remove(old);
    }
    if (e.status() != BlockStatus.INVALID) {
      candidates.add(e);
    }
  }

  /** {@code e}, a child of the head, becomes the valid head. */
  void moveHeadForward(StoredHeader e) {
    StoredHeader valid = e.withStatus(BlockStatus.VALID);
    replace(valid);
    canonical.add(valid.hash());
    head = valid;
  }

  /** The head's parent becomes the head. */
  void moveHeadBack() {
    canonical.remove(canonical.size() - 1);
    if (head.height() == 1) {
      canonicalAnchorTime = null;
    }
    head = parent(head);
  }

  /** The valid stored tip with the most work if it beats the head, whatever its depth; or null. */
  StoredHeader bestCandidate() {
    if (candidates.isEmpty()) {
      return null;
    }
    StoredHeader c = candidates.last();
    return ForkChoice.prefers(c.tip(), head.tip()) ? c : null;
  }

  /** What the header rules need to check a child of {@code parent} at {@code now}. */
  HeaderContext context(StoredHeader parent, long now) {
    List<Long> times = new ArrayList<>(TimeRules.MEDIAN_SPAN);
    StoredHeader e = parent;
    while (e != null && times.size() < TimeRules.MEDIAN_SPAN) {
      times.add(e.header().timestamp());
      e = e.height() == 0 ? null : parent(e);
    }
    return new HeaderContext(parent.header(), anchorTimestamp(parent), times, now);
  }

  /**
   * The timestamp of the height-1 block on {@code parent}'s branch, the retarget anchor (genesis's
   * own time when {@code parent} is genesis, which the rule ignores). Walks back to the first
   * canonical ancestor or side block whose anchor is remembered, and takes canonical block 1 if
   * that ancestor is canonical above genesis; a branch forking at genesis is walked down to its own
   * block 1. The anchors of the side blocks walked are remembered (a block's ancestry never
   * changes), so importing a branch block by block costs O(1) per block, not O(depth).
   */
  private long anchorTimestamp(StoredHeader parent) {
    List<Hash> walked = new ArrayList<>();
    StoredHeader x = parent;
    Long anchor = null;
    while (x.height() > 1 && !isCanonical(x.hash())) {
      anchor = sideAnchors.get(x.hash());
      if (anchor != null) {
        break;
      }
      walked.add(x.hash());
      x = parent(x);
    }
    if (anchor == null) {
      if (x.height() <= 1) {
        anchor = x.header().timestamp();
      } else {
        if (canonicalAnchorTime == null) {
          canonicalAnchorTime = index.get(canonical.get(1)).header().timestamp();
        }
        anchor = canonicalAnchorTime;
      }
    }
    for (Hash w : walked) {
      sideAnchors.put(w, anchor);
    }
    return anchor;
  }
}
