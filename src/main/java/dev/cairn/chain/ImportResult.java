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
    /** Parent unknown: held in the orphan pool; fetch {@code wanted}. */
    ORPHANED,
    /** Already known (stored or in the orphan pool). No penalty. */
    DUPLICATE,
    /** Breaks a consensus rule ({@code reason}): penalise the sender. */
    INVALID,
    /** Descends from a block known to be invalid: penalise the sender. */
    INVALID_ANCESTOR,
    /**
     * Not acceptable now but not proven bad (a timestamp too far ahead, a fork deeper than the
     * reorg bound, a full orphan pool): drop without penalty.
     */
    IGNORED,
    /**
     * An unsolicited block with a valid header on a branch with less cumulative work than the head:
     * not stored, not relayed, body not verified. No REJECT; a peer that keeps sending them may
     * lose a little standing (never for one-off honest races).
     */
    LIGHT_BRANCH,
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

  /** True if the sender should be penalised. */
  public boolean penalise() {
    return outcome == Outcome.INVALID || outcome == Outcome.INVALID_ANCESTOR;
  }
}
