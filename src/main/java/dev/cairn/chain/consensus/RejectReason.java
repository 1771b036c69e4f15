package dev.cairn.chain.consensus;

/** Every consensus rule a block or transaction can break, one name each (docs/PROTOCOL.md). */
public enum RejectReason {
  // header in context
  /** Header version is not {@code 1}. */
  UNSUPPORTED_VERSION,
  /** Height is not the parent's height plus one. */
  WRONG_HEIGHT,
  /** Parent hash does not name the given parent. */
  WRONG_PARENT,
  /** Bits are negative, zero, over 256 bits, non-canonical or above the network's limit. */
  BAD_TARGET_ENCODING,
  /** Bits differ from what the retarget rule expects after the parent. */
  WRONG_DIFFICULTY,
  /** Header hash is above the target. */
  INSUFFICIENT_PROOF_OF_WORK,
  /** Timestamp is not after the median of the last 11 blocks. */
  TIMESTAMP_NOT_AFTER_MEDIAN,
  /** Timestamp is too far ahead of the local clock (may become valid: an Ignore, not a Reject). */
  TIMESTAMP_TOO_FAR_IN_FUTURE,
  // body, stateless
  /** More than {@link dev.cairn.chain.model.Limits#MAX_TRANSACTIONS} transactions. */
  TOO_MANY_TRANSACTIONS,
  /** Encoding longer than {@link dev.cairn.chain.model.Limits#MAX_BLOCK_BYTES}. */
  BLOCK_TOO_LARGE,
  /** Merkle root does not match the transactions. */
  BAD_MERKLE_ROOT,
  /** The same transaction twice in one block. */
  DUPLICATE_TRANSACTION,
  // transaction, stateless
  /** Chain id of another network. */
  WRONG_CHAIN_ID,
  /** Amount is zero or negative, or amount plus fee overflows. */
  INVALID_AMOUNT,
  /** Fee below the network's minimum. */
  FEE_TOO_LOW,
  /** Sender and recipient are the same account. */
  SELF_TRANSACTION,
  /** Signature does not verify against the sender key. */
  BAD_SIGNATURE,
  // transaction, against state
  /** Sender account does not exist (never received funds). */
  UNKNOWN_SENDER,
  /** Nonce below the account's nonce: already used (replay or double spend). */
  NONCE_REPLAYED,
  /** Nonce above the account's nonce: an earlier transaction is missing. */
  NONCE_GAP,
  /** Balance is below amount plus fee. */
  INSUFFICIENT_BALANCE,
  /** A credited balance (recipient or miner) would overflow. */
  BALANCE_OVERFLOW,
  /** Reward plus fees overflows. */
  REWARD_OVERFLOW
}
