package dev.cairn.chain;

import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of the chain published by the owner after each change; the API and sync
 * read it from any thread without queueing.
 *
 * @param network network name
 * @param genesis genesis hash
 * @param headHash hash of the head block
 * @param head the head's header
 * @param cumulativeWork work of the chain ending in the head
 * @param recentHeaders the last canonical headers, oldest first, ending with the head (at most
 *     {@link ChainConfig#recentHeaders()})
 * @param mempoolSize pooled transactions
 * @param orphanCount blocks in the orphan pool
 * @param version increases with every publication
 */
public record ChainView(
    String network,
    Hash genesis,
    Hash headHash,
    BlockHeader head,
    BigInteger cumulativeWork,
    List<BlockHeader> recentHeaders,
    int mempoolSize,
    int orphanCount,
    long version) {
  /** Copies the list. */
  public ChainView {
    recentHeaders = List.copyOf(recentHeaders);
  }

  /** Height of the head. */
  public long height() {
    return head.height();
  }

  /** The canonical header at {@code height} if it is among the recent ones. */
  public Optional<BlockHeader> recentHeader(long height) {
    if (recentHeaders.isEmpty()) {
      return Optional.empty();
    }
    long first = recentHeaders.get(0).height();
    long i = height - first;
    return i < 0 || i >= recentHeaders.size()
        ? Optional.empty()
        : Optional.of(recentHeaders.get((int) i));
  }
}
