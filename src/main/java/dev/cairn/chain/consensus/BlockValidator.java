package dev.cairn.chain.consensus;

import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import java.util.HashSet;
import java.util.Set;

/**
 * Consensus checks of a header in context and of a block body without state. The state-dependent
 * part (balances, nonces, the transactions' stateless rules with their index) is {@code
 * dev.cairn.chain.state.StateTransition}. Pure functions; each rule has a {@link RejectReason}.
 */
public final class BlockValidator {
  private BlockValidator() {}

  /**
   * Checks, in this order: version, height, parent hash, bits encoding and limit, expected
   * difficulty, proof of work, median time past, future drift (an {@code Ignore}).
   */
  public static ValidationResult validateHeader(BlockHeader h, HeaderContext ctx, NetworkParams p) {
    BlockHeader parent = ctx.parent();
    if (h.version() != BlockHeader.VERSION) {
      return ValidationResult.reject(RejectReason.UNSUPPORTED_VERSION, "version " + h.version());
    }
    if (h.height() != parent.height() + 1) {
      return ValidationResult.reject(
          RejectReason.WRONG_HEIGHT, "height " + h.height() + " after " + parent.height());
    }
    Hash parentHash = parent.hash();
    if (!h.parent().equals(parentHash)) {
      return ValidationResult.reject(RejectReason.WRONG_PARENT, "parent " + h.parent());
    }
    if (!CompactTarget.isCanonical(h.bits())
        || CompactTarget.toTarget(h.bits()).compareTo(p.powLimit()) > 0) {
      return ValidationResult.reject(
          RejectReason.BAD_TARGET_ENCODING, "bits " + CompactTarget.hex(h.bits()));
    }
    int expected =
        Difficulty.nextBits(p, parent.height(), parent.timestamp(), ctx.anchorTimestamp());
    if (h.bits() != expected) {
      return ValidationResult.reject(
          RejectReason.WRONG_DIFFICULTY,
          "bits " + CompactTarget.hex(h.bits()) + ", expected " + CompactTarget.hex(expected));
    }
    if (!ProofOfWork.meetsTarget(h)) {
      return ValidationResult.reject(RejectReason.INSUFFICIENT_PROOF_OF_WORK, "hash " + h.hash());
    }
    long median = TimeRules.medianTimePast(ctx.recentTimestamps());
    if (h.timestamp() <= median) {
      return ValidationResult.reject(
          RejectReason.TIMESTAMP_NOT_AFTER_MEDIAN,
          "timestamp " + h.timestamp() + " <= median " + median);
    }
    if (h.timestamp() > ctx.nowMillis() + p.maxFutureDriftMillis()) {
      return new ValidationResult.Ignore(
          RejectReason.TIMESTAMP_TOO_FAR_IN_FUTURE,
          "timestamp " + h.timestamp() + " is " + (h.timestamp() - ctx.nowMillis()) + " ms ahead");
    }
    return ValidationResult.ACCEPT;
  }

  /** Checks, in this order: transaction count, encoded size, duplicate ids, Merkle root. */
  public static ValidationResult validateBody(Block block) {
    int n = block.transactions().size();
    if (n > Limits.MAX_TRANSACTIONS) {
      return ValidationResult.reject(RejectReason.TOO_MANY_TRANSACTIONS, n + " transactions");
    }
    if (block.encodedSize() > Limits.MAX_BLOCK_BYTES) {
      return ValidationResult.reject(RejectReason.BLOCK_TOO_LARGE, block.encodedSize() + " bytes");
    }
    java.util.List<Hash> ids = new java.util.ArrayList<>(n);
    Set<Hash> seen = new HashSet<>(n * 2);
    for (int i = 0; i < n; i++) {
      Transaction tx = block.transactions().get(i);
      Hash id = tx.id();
      if (!seen.add(id)) {
        return ValidationResult.reject(
            RejectReason.DUPLICATE_TRANSACTION, "transaction " + i + " (" + id + ") repeats");
      }
      ids.add(id);
    }
    Hash root = dev.cairn.chain.model.Merkle.root(ids);
    if (!root.equals(block.header().merkleRoot())) {
      return ValidationResult.reject(
          RejectReason.BAD_MERKLE_ROOT,
          "root " + block.header().merkleRoot() + ", computed " + root);
    }
    return ValidationResult.ACCEPT;
  }
}
