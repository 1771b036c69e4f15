package dev.cairn.chain.state;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.DecodeException.Reason;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The byte forms of account state in the chain's store (not consensus bytes, never hashed or sent):
 * an account is balance (u64) ‖ nonce (u64); an undo record, stored under its block's hash, is
 * count (u32) ‖ per touched account: address (20) ‖ present (u8 0/1) ‖ balance (u64) ‖ nonce (u64),
 * with zeros for an account that did not exist. The store reads these back from disk, whose files
 * can rot: decoders bound the count before allocating and accept only the bytes the encoders write.
 */
public final class StateCodec {
  /** Encoded account size. */
  public static final int ACCOUNT_BYTES = 16;

  /** Most accounts one block can touch: sender and recipient per transaction, and the miner. */
  public static final int MAX_UNDO_ENTRIES = 2 * Limits.MAX_TRANSACTIONS + 1;

  private static final int ENTRY_BYTES = Address.SIZE + 1 + ACCOUNT_BYTES;

  private StateCodec() {}

  /** 16 bytes. */
  public static byte[] encode(Account a) {
    return ByteBuffer.allocate(ACCOUNT_BYTES).putLong(a.balance()).putLong(a.nonce()).array();
  }

  /** Exactly 16 bytes; negative values are refused. */
  public static Account decodeAccount(byte[] bytes) throws DecodeException {
    if (bytes.length != ACCOUNT_BYTES) {
      throw new DecodeException(
          bytes.length < ACCOUNT_BYTES ? Reason.TRUNCATED : Reason.TRAILING_BYTES,
          "account has " + bytes.length + " bytes");
    }
    return account(ByteBuffer.wrap(bytes));
  }

  private static Account account(ByteBuffer b) throws DecodeException {
    long balance = b.getLong();
    long nonce = b.getLong();
    if (balance < 0 || nonce < 0) {
      throw new DecodeException(Reason.TOO_LARGE, "balance or nonce above 2^63 - 1");
    }
    return new Account(balance, nonce);
  }

  /** The undo record's bytes (its block's hash is the key it is stored under, not part of them). */
  public static byte[] encode(Undo undo) {
    ByteBuffer b = ByteBuffer.allocate(4 + undo.previous().size() * ENTRY_BYTES);
    b.putInt(undo.previous().size());
    undo.previous()
        .forEach(
            (address, prior) -> {
              b.put(address.bytes());
              b.put((byte) (prior.isPresent() ? 1 : 0));
              b.putLong(prior.map(Account::balance).orElse(0L));
              b.putLong(prior.map(Account::nonce).orElse(0L));
            });
    return b.array();
  }

  /** Decodes the undo record of {@code block}; the whole input must be the record. */
  public static Undo decodeUndo(Hash block, byte[] bytes) throws DecodeException {
    if (bytes.length < 4) {
      throw new DecodeException(Reason.TRUNCATED, "undo has " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long count = Integer.toUnsignedLong(b.getInt());
    if (count > MAX_UNDO_ENTRIES) {
      throw new DecodeException(Reason.TOO_MANY_ITEMS, count + " undo entries");
    }
    long expected = 4 + count * ENTRY_BYTES;
    if (bytes.length != expected) {
      throw new DecodeException(
          bytes.length < expected ? Reason.TRUNCATED : Reason.TRAILING_BYTES,
          "undo of " + count + " entries has " + bytes.length + " bytes");
    }
    Map<Address, Optional<Account>> previous = new LinkedHashMap<>();
    for (long i = 0; i < count; i++) {
      Address address = Address.of(bytes, b.position());
      b.position(b.position() + Address.SIZE);
      if (previous.containsKey(address)) {
        // A second entry would silently replace the first prior state (the one to restore).
        throw new DecodeException(Reason.DUPLICATE, "undo names " + address + " twice");
      }
      int present = b.get();
      Account prior = account(b);
      if (present == 1) {
        previous.put(address, Optional.of(prior));
      } else if (present == 0 && prior.balance() == 0 && prior.nonce() == 0) {
        previous.put(address, Optional.empty());
      } else {
        throw new DecodeException(
            Reason.UNSUPPORTED_VERSION, "undo entry " + i + ": flag " + present + " with " + prior);
      }
    }
    return new Undo(block, previous);
  }
}
