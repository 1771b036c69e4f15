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
 * Byte forms of account state for a store (not consensus bytes, not hashed): an account is balance
 * (u64) ‖ nonce (u64); an undo record is block hash (32) ‖ count (u32) ‖ per entry address (20) ‖
 * present (u8 0/1) ‖ [account (16) if present]. Decoders bound the count before allocating.
 */
public final class StateCodec {
  /** Encoded account size. */
  public static final int ACCOUNT_BYTES = 16;

  /** Most accounts one block can touch: sender and recipient per transaction, and the miner. */
  public static final int MAX_UNDO_ENTRIES = 2 * Limits.MAX_TRANSACTIONS + 1;

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
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long balance = b.getLong();
    long nonce = b.getLong();
    if (balance < 0 || nonce < 0) {
      throw new DecodeException(Reason.TOO_LARGE, "balance or nonce above 2^63 - 1");
    }
    return new Account(balance, nonce);
  }

  /** The undo record's bytes. */
  public static byte[] encode(Undo undo) {
    int size = Hash.SIZE + 4;
    for (Optional<Account> prior : undo.previous().values()) {
      size += Address.SIZE + 1 + (prior.isPresent() ? ACCOUNT_BYTES : 0);
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(undo.block().bytes());
    b.putInt(undo.previous().size());
    undo.previous()
        .forEach(
            (address, prior) -> {
              b.put(address.bytes());
              b.put((byte) (prior.isPresent() ? 1 : 0));
              prior.ifPresent(a -> b.put(encode(a)));
            });
    return b.array();
  }

  /** Decodes an undo record; the whole input must be the record. */
  public static Undo decodeUndo(byte[] bytes) throws DecodeException {
    if (bytes.length < Hash.SIZE + 4) {
      throw new DecodeException(Reason.TRUNCATED, "undo has " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    Hash block = Hash.of(bytes, 0);
    b.position(Hash.SIZE);
    long count = Integer.toUnsignedLong(b.getInt());
    if (count > MAX_UNDO_ENTRIES) {
      throw new DecodeException(Reason.TOO_MANY_ITEMS, count + " undo entries");
    }
    if (b.remaining() < count * (Address.SIZE + 1)) {
      throw new DecodeException(Reason.TRUNCATED, "undo shorter than its " + count + " entries");
    }
    Map<Address, Optional<Account>> previous = new LinkedHashMap<>();
    for (long i = 0; i < count; i++) {
      if (b.remaining() < Address.SIZE + 1) {
        throw new DecodeException(Reason.TRUNCATED, "undo entry " + i);
      }
      Address address = Address.of(bytes, b.position());
      b.position(b.position() + Address.SIZE);
      if (previous.containsKey(address)) {
        // A second entry would silently replace the first prior state (the one to restore).
        throw new DecodeException(Reason.DUPLICATE, "undo names " + address + " twice");
      }
      int present = b.get();
      if (present == 0) {
        previous.put(address, Optional.empty());
      } else if (present == 1) {
        if (b.remaining() < ACCOUNT_BYTES) {
          throw new DecodeException(Reason.TRUNCATED, "undo entry " + i);
        }
        byte[] acc = new byte[ACCOUNT_BYTES];
        b.get(acc);
        previous.put(address, Optional.of(decodeAccount(acc)));
      } else {
        throw new DecodeException(Reason.UNSUPPORTED_VERSION, "undo entry flag " + present);
      }
    }
    if (b.hasRemaining()) {
      throw new DecodeException(Reason.TRAILING_BYTES, b.remaining() + " bytes after the undo");
    }
    return new Undo(block, previous);
  }
}
