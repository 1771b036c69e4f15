package dev.cairn.chain.consensus;

import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The path from the current head to a better tip: the blocks to undo (head first, down to but not
 * including the fork point) and the blocks to apply (fork point's child first). Computed by {@link
 * #plan} from headers alone; the chain owner then undoes and applies with stored undo data.
 *
 * @param forkPoint last block both chains share
 * @param disconnect hashes to undo, newest first
 * @param connect hashes to apply, oldest first
 */
public record Reorg(Hash forkPoint, List<Hash> disconnect, List<Hash> connect) {
  /** Copies the lists. */
  public Reorg {
    disconnect = List.copyOf(disconnect);
    connect = List.copyOf(connect);
  }

  /** Header lookup by hash (the store's header index, or a map in tests). */
  @FunctionalInterface
  public interface Headers {
    /** The header, or empty if unknown. */
    Optional<BlockHeader> header(Hash hash);
  }

  /** Why no plan could be made. */
  public enum Failure {
    /** A header on either path is not known. */
    UNKNOWN_HEADER
  }

  /** A plan, or the reason there is none. */
  public sealed interface Result {
    /** The plan. */
    record Planned(Reorg reorg) implements Result {}

    /** No plan. */
    record Failed(Failure failure, Hash at) implements Result {}
  }

  /**
   * Walks back from both tips to their common ancestor, whatever the depth: whether a branch is
   * worth a reorg is decided by its work (see {@link ForkChoice}), never by how many blocks it
   * undoes.
   */
  public static Result plan(Headers headers, Hash currentHead, Hash candidate) {
    Optional<BlockHeader> a = headers.header(currentHead);
    Optional<BlockHeader> b = headers.header(candidate);
    if (a.isEmpty()) {
      return new Result.Failed(Failure.UNKNOWN_HEADER, currentHead);
    }
    if (b.isEmpty()) {
      return new Result.Failed(Failure.UNKNOWN_HEADER, candidate);
    }
    Cursor ca = new Cursor(currentHead, a.get());
    Cursor cb = new Cursor(candidate, b.get());
    List<Hash> disconnect = new ArrayList<>();
    List<Hash> connect = new ArrayList<>();
    while (!ca.hash.equals(cb.hash)) {
      if (ca.header.height() >= cb.header.height()) {
        if (ca.header.height() == 0) {
          // two different genesis blocks: nothing in common
          return new Result.Failed(Failure.UNKNOWN_HEADER, ca.hash);
        }
        if (!ca.back(headers, disconnect)) {
          return new Result.Failed(Failure.UNKNOWN_HEADER, ca.hash);
        }
      } else if (!cb.back(headers, connect)) {
        return new Result.Failed(Failure.UNKNOWN_HEADER, cb.hash);
      }
    }
    Collections.reverse(connect);
    return new Result.Planned(new Reorg(ca.hash, disconnect, connect));
  }

  /** One side of the walk: a block and its header, stepped back one parent at a time. */
  private static final class Cursor {
    Hash hash;
    BlockHeader header;

    Cursor(Hash hash, BlockHeader header) {
      this.hash = hash;
      this.header = header;
    }

    /**
     * Adds this block to {@code passed} and moves to its parent; false when the parent's header is
     * unknown ({@link #hash} is then that parent).
     */
    boolean back(Headers headers, List<Hash> passed) {
      passed.add(hash);
      hash = header.parent();
      Optional<BlockHeader> p = headers.header(hash);
      if (p.isEmpty()) {
        return false;
      }
      header = p.get();
      return true;
    }
  }
}
