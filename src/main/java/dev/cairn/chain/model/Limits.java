package dev.cairn.chain.model;

/** Consensus size limits; decoders check them before allocating. */
public final class Limits {
  /** Encoded transaction size: fixed. */
  public static final int TRANSACTION_BYTES = 145;

  /** Encoded header size: fixed. */
  public static final int HEADER_BYTES = 116;

  /** Most transactions in one block. */
  public static final int MAX_TRANSACTIONS = 7_000;

  /** Largest encoded block: 1 MiB. */
  public static final int MAX_BLOCK_BYTES = 1 << 20;

  private Limits() {}
}
