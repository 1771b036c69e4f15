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
    Hash ha = currentHead;
    Hash hb = candidate;
    BlockHeader xa = a.get();
    BlockHeader xb = b.get();
    List<Hash> disconnect = new ArrayList<>();
    List<Hash> connect = new ArrayList<>();
    while (!ha.equals(hb)) {
      if (xa.height() >= xb.height()) {
        if (xa.height() == 0) {
          // two different genesis blocks: nothing in common
          return new Result.Failed(Failure.UNKNOWN_HEADER, ha);
        }
        disconnect.add(ha);
        ha = xa.parent();
        Optional<BlockHeader> p = headers.header(ha);
        if (p.isEmpty()) {
          return new Result.Failed(Failure.UNKNOWN_HEADER, ha);
        }
        xa = p.get();
      } else {
        connect.add(hb);
        hb = xb.parent();
        Optional<BlockHeader> p = headers.header(hb);
        if (p.isEmpty()) {
          return new Result.Failed(Failure.UNKNOWN_HEADER, hb);
        }
        xb = p.get();
      }
    }
    Collections.reverse(connect);
    return new Result.Planned(new Reorg(ha, disconnect, connect));
  }
}
