package dev.cairn.chain;

import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.model.Hash;

/**
 * What importing a block did. {@code reason} is set for {@link Outcome#INVALID} and {@link
 * Outcome#IGNORED} when a consensus rule decided it; {@code wanted} is set for {@link
 * Outcome#ORPHANED}: the unknown ancestor to fetch by hash.
 */
public record ImportResult(
    Outcome outcome, Hash block, RejectReason reason, String detail, Hash wanted) {
  /** The outcomes; the consequence for the peer that sent the block is noted on each. */
  public enum Outcome {
    /** Stored and now the head (directly or after a reorg). */
    IMPORTED_HEAD,
    /** Stored on a side branch with no more work than the head. */
    IMPORTED_SIDE,
    /**
     * An unsolicited block with a valid header whose branch has less cumulative work than the head
     * (even counting the proven work of its waiting orphan descendants): not stored, not indexed,
     * its body not verified; do not relay it. Not a fault by itself (an honest peer may send a
     * block just after we moved to a heavier branch), so no penalty from the chain's point of view;
     * the node layer may charge a peer that keeps doing it. A sync of a header chain proven heavier
     * imports with {@link ChainService#importRequested}, which never answers this.
     */
    LIGHT_BRANCH,
    /** Parent unknown: held in the orphan pool; fetch {@code wanted}. */
    ORPHANED,
    /** Already known (stored or in the orphan pool). No penalty. */
    DUPLICATE,
    /** Breaks a consensus rule ({@code reason}): penalise the sender. */
    INVALID,
    /** Descends from a block known to be invalid: penalise the sender. */
    INVALID_ANCESTOR,
    /**
     * Not acceptable now but not proven bad (a timestamp too far ahead, a block larger than the
     * orphan pool): drop without penalty.
     */
    IGNORED,
    /** The chain owner's mailbox was full and the block was not looked at (gossip only). */
    BUSY
  }

  static ImportResult of(Outcome outcome, Hash block, String detail) {
    return new ImportResult(outcome, block, null, detail, null);
  }

  /** True if the block is stored now (head or side). */
  public boolean imported() {
    return outcome == Outcome.IMPORTED_HEAD || outcome == Outcome.IMPORTED_SIDE;
  }

  /**
   * True if the sender should be penalised: the block breaks a rule or descends from one that does.
   * {@link Outcome#LIGHT_BRANCH}, {@link Outcome#IGNORED}, {@link Outcome#DUPLICATE} and {@link
   * Outcome#BUSY} are not faults by themselves.
   */
  public boolean penalise() {
    return outcome == Outcome.INVALID || outcome == Outcome.INVALID_ANCESTOR;
  }
}
