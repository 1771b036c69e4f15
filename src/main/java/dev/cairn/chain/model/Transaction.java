package dev.cairn.chain.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signed transfer of {@code amount} units from the account of {@code senderKey} to {@code
 * recipient}, paying {@code fee} to the miner. {@code nonce} must equal the sender's account nonce
 * (replay protection); {@code chainId} binds it to one network. The signature is Ed25519 over
 * {@link #signingMessage()}; the id is SHA-256 of the full encoding, signature included (see
 * docs/PROTOCOL.md for why).
 *
 * <p>Immutable, with record-style accessors, equality over all fields and a canonical constructor
 * (it was a record). It is a class so that it can remember its {@link #id()} and {@link #sender()}
 * (each a SHA-256) once computed: a synced transaction's id is needed by the block's Merkle check,
 * the signature cache on a verifier thread and again on the chain owner, and the index. Both are
 * derived from the fields alone, which never change (the arrays are copied in and out), so a
 * remembered value is the value a fresh computation would give; a racing second computation on
 * another thread gives the same value (they are records of final fields, safely published).
 */
public final class Transaction {
  /** Encoding format version. */
  public static final int VERSION = 1;

  /**
   * Domain tag in front of the signed bytes, so a signature over a transaction means nothing else.
   */
  static final byte[] SIGNING_DOMAIN = {'c', 'a', 'i', 'r', 'n', '-', 't', 'x'};

  private final int chainId;
  private final byte[] senderKey;
  private final Address recipient;
  private final long amount;
  private final long fee;
  private final long nonce;
  private final byte[] signature;

  /** The id once computed (benign race: any thread may set it to the same value). */
  private Hash id;

  /** The sender's address once computed (as {@link #id}). */
  private Address sender;

  /** Checks lengths and copies the arrays. */
  public Transaction(
      int chainId,
      byte[] senderKey,
      Address recipient,
      long amount,
      long fee,
      long nonce,
      byte[] signature) {
    if (senderKey.length != Keys.PUBLIC_KEY_SIZE) {
      throw new IllegalArgumentException("sender key has 32 bytes");
    }
    if (signature.length != Keys.SIGNATURE_SIZE) {
      throw new IllegalArgumentException("signature has 64 bytes");
    }
    this.chainId = chainId;
    this.senderKey = senderKey.clone();
    this.recipient = recipient;
    this.amount = amount;
    this.fee = fee;
    this.nonce = nonce;
    this.signature = signature.clone();
  }

  /** The network the transaction is for. */
  public int chainId() {
    return chainId;
  }

  /** The recipient's account. */
  public Address recipient() {
    return recipient;
  }

  /** Units transferred. */
  public long amount() {
    return amount;
  }

  /** Units paid to the miner. */
  public long fee() {
    return fee;
  }

  /** The sender's account nonce this transaction uses. */
  public long nonce() {
    return nonce;
  }

  /** A transaction signed by {@code key}. */
  public static Transaction signed(
      SigningKey key, int chainId, Address recipient, long amount, long fee, long nonce) {
    Transaction unsigned =
        new Transaction(
            chainId, key.publicKey(), recipient, amount, fee, nonce, new byte[Keys.SIGNATURE_SIZE]);
    return unsigned.withSignature(key.sign(unsigned.signingMessage()));
  }

  /** A copy with another signature. */
  public Transaction withSignature(byte[] sig) {
    return new Transaction(chainId, senderKey, recipient, amount, fee, nonce, sig);
  }

  /** The sender's Ed25519 public key (a copy). */
  public byte[] senderKey() {
    return senderKey.clone();
  }

  /** The Ed25519 signature (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  /** The sender's account (derived from the key; computed once). */
  public Address sender() {
    Address a = sender;
    if (a == null) {
      a = Address.fromPublicKey(senderKey);
      sender = a;
    }
    return a;
  }

  /** {@code "cairn-tx"} followed by the first 81 bytes of the encoding (all but the signature). */
  public byte[] signingMessage() {
    byte[] enc = ChainCodec.encode(this);
    byte[] msg = new byte[SIGNING_DOMAIN.length + ChainCodec.TX_UNSIGNED_BYTES];
    System.arraycopy(SIGNING_DOMAIN, 0, msg, 0, SIGNING_DOMAIN.length);
    System.arraycopy(enc, 0, msg, SIGNING_DOMAIN.length, ChainCodec.TX_UNSIGNED_BYTES);
    return msg;
  }

  /** True if the signature verifies against the sender key. */
  public boolean hasValidSignature() {
    return Keys.verify(senderKey, signingMessage(), signature);
  }

  /** SHA-256 of the 145-byte encoding (computed once). */
  public Hash id() {
    Hash h = id;
    if (h == null) {
      h = Hash.sha256(ChainCodec.encode(this));
      id = h;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transaction t
        && chainId == t.chainId
        && amount == t.amount
        && fee == t.fee
        && nonce == t.nonce
        && recipient.equals(t.recipient)
        && Arrays.equals(senderKey, t.senderKey)
        && Arrays.equals(signature, t.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Transaction[from="
        + sender()
        + ", to="
        + recipient
        + ", amount="
        + amount
        + ", fee="
        + fee
        + ", nonce="
        + nonce
        + ", chainId="
        + chainId
        + ", sig="
        + HexFormat.of().formatHex(signature, 0, 4)
        + "…]";
  }
}
