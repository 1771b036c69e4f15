package dev.cairn.chain.state;

/**
 * An account's state: its balance in units and its nonce, the number of transactions it has sent
 * (the nonce its next transaction must carry).
 */
public record Account(long balance, long nonce) {
  /** Checks that neither is negative. */
  public Account {
    if (balance < 0 || nonce < 0) {
      throw new IllegalArgumentException("balance and nonce are never negative");
    }
  }
}
