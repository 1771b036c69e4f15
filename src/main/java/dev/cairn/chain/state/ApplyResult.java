package dev.cairn.chain.state;

import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.ValidationResult;

/** The outcome of applying a block to state: the delta and undo, or why it was refused. */
public sealed interface ApplyResult {
  /**
   * The block is valid against the state.
   *
   * @param delta new account values to write
   * @param undo the values they replace
   * @param reward the block reward credited to the miner
   * @param fees the sum of the transactions' fees, also credited to the miner
   */
  record Applied(StateDelta delta, Undo undo, long reward, long fees) implements ApplyResult {}

  /**
   * The block is not valid (a {@link ValidationResult.Reject}) or not yet ({@link
   * ValidationResult.Ignore}).
   *
   * @param result never {@link ValidationResult.Accept}
   * @param txIndex the offending transaction's index, or -1 for a block-level rule
   */
  record Rejected(ValidationResult result, int txIndex) implements ApplyResult {
    /** The broken rule. */
    public RejectReason reason() {
      return result.reason();
    }
  }
}
