package dev.cairn.chain.store;

/** What is known about a stored block (its body is always stored with its header). */
public enum BlockStatus {
  /** Header and body passed the stateless checks; never applied to state (a side branch). */
  STORED,
  /** Applied to state without error at least once; on the canonical chain or a former one. */
  VALID,
  /** Broke a rule when applied, or descends from such a block; never chosen again. */
  INVALID;

  static BlockStatus ofCode(int code) {
    return switch (code) {
      case 0 -> STORED;
      case 1 -> VALID;
      case 2 -> INVALID;
      default -> throw new StoreException("unknown block status " + code);
    };
  }

  int code() {
    return ordinal();
  }
}
