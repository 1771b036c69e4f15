package dev.cairn.chain.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signed transfer of {@code amount} units from the account of {@code senderKey} to {@code
 * recipient}, paying {@code fee} to the miner. {@code nonce} must equal the sender's account nonce
 * (replay protection); {@code chainId} binds it to one network. The signature is Ed25519 over
 * {@link #signingMessage()}; the id is SHA-256 of the full encoding, signature included (see
 * docs/PROTOCOL.md for why).
 */
public record Transaction(
    int chainId,
    byte[] senderKey,
    Address recipient,
    long amount,
    long fee,
    long nonce,
    byte[] signature) {
  /** Encoding format version. */
  public static final int VERSION = 1;

  /**
   * Domain tag in front of the signed bytes, so a signature over a transaction means nothing else.
   */
  static final byte[] SIGNING_DOMAIN = {'c', 'a', 'i', 'r', 'n', '-', 't', 'x'};

  /** Checks lengths and copies the arrays. */
  public Transaction {
    if (senderKey.length != Keys.PUBLIC_KEY_SIZE) {
      throw new IllegalArgumentException("sender key has 32 bytes");
    }
    if (signature.length != Keys.SIGNATURE_SIZE) {
      throw new IllegalArgumentException("signature has 64 bytes");
    }
    senderKey = senderKey.clone();
    signature = signature.clone();
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

  @Override
  public byte[] senderKey() {
    return senderKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The sender's account (derived from the key). */
  public Address sender() {
    return Address.fromPublicKey(senderKey);
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

  /** SHA-256 of the 145-byte encoding. */
  public Hash id() {
    return Hash.sha256(ChainCodec.encode(this));
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
