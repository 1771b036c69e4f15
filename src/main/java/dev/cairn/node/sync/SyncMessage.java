package dev.cairn.node.sync;

import dev.cairn.chain.ChainView;
import dev.cairn.chain.model.Hash;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/** The sync protocols' requests, as records (the protobuf classes stay in {@link SyncCodec}). */
public sealed interface SyncMessage {

  /**
   * A node's chain summary, exchanged on every new connection.
   *
   * @param network network name
   * @param genesis genesis hash
   * @param head head hash
   * @param height head height
   * @param cumulativeWork work of the chain ending in the head
   */
  record Status(String network, Hash genesis, Hash head, long height, BigInteger cumulativeWork)
      implements SyncMessage {
    /** Our status from a chain snapshot. */
    public static Status of(ChainView view) {
      return new Status(
          view.network(), view.genesis(), view.headHash(), view.height(), view.cumulativeWork());
    }
  }

  /** Canonical headers after the fork point named by {@code locator} (newest first). */
  record HeadersByLocator(List<Hash> locator, int max) implements SyncMessage {
    public HeadersByLocator {
      locator = List.copyOf(locator);
    }
  }

  /** Blocks by hash, answered in the order asked. */
  record BlocksByHash(List<Hash> hashes) implements SyncMessage {
    public BlocksByHash {
      hashes = List.copyOf(hashes);
    }
  }

  /** Canonical blocks {@code start .. start+count-1}. */
  record BlocksByRange(long start, int count) implements SyncMessage {}

  /**
   * The transactions of block {@code block} at {@code indexes} (ascending, distinct), for compact
   * block relay. Equal by content (the indexes are an array, so the record says so itself).
   */
  record BlockTxs(Hash block, int[] indexes) implements SyncMessage {
    @Override
    public boolean equals(Object o) {
      return o instanceof BlockTxs b && block.equals(b.block) && Arrays.equals(indexes, b.indexes);
    }

    @Override
    public int hashCode() {
      return 31 * block.hashCode() + Arrays.hashCode(indexes);
    }

    @Override
    public String toString() {
      return "BlockTxs[block=" + block + ", indexes=" + Arrays.toString(indexes) + "]";
    }
  }
}
