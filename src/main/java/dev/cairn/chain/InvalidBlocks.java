package dev.cairn.chain;

import dev.cairn.chain.ImportResult.Outcome;
import dev.cairn.chain.consensus.BlockValidator;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.HeaderContext;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.consensus.RejectReason;
import dev.cairn.chain.consensus.ValidationResult;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.state.ApplyResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Blocks known to be invalid, by hash, with why: checked first on every import, so that no invalid
 * block is verified twice and its children are refused unverified. Holds only failures the block's
 * hash commits to (header rules, body rules on a body matching the header's Merkle root, state
 * rules on such a body). Bounded by count, {@link ChainConfig#maxInvalidBlocks} (an entry is under
 * 512 bytes): at the bound the OLDEST entry is forgotten (an old invalid block that comes back is
 * verified once more and remembered again). Stored blocks found invalid are also marked in the
 * index, which survives restarts. Part of {@link ChainState}, on its owner thread.
 */
final class InvalidBlocks {
  private static final Logger LOG = LogManager.getLogger();

  /** Why a block is invalid. */
  record Failure(RejectReason reason, String detail) {
    /** The failure of a block the state refused. */
    static Failure of(ApplyResult.Rejected r) {
      String detail =
          switch (r.result()) {
            case ValidationResult.Reject j -> j.detail();
            case ValidationResult.Ignore i -> i.detail();
            case ValidationResult.Accept a -> "";
          };
      return new Failure(r.reason(), "transaction " + r.txIndex() + ": " + detail);
    }
  }

  private final OrphanPool orphans;
  private final Map<Hash, Failure> failures;

  InvalidBlocks(int max, OrphanPool orphans) {
    this.orphans = orphans;
    this.failures =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Hash, Failure> eldest) {
            return size() > max;
          }
        };
  }

  /**
   * The header rules ({@link BlockValidator#validateHeader}) for {@code h} (hash {@code hash}) in
   * {@code ctx}: null if it passes, else the result, a rejection remembered as below.
   */
  ImportResult checkHeader(BlockHeader h, Hash hash, HeaderContext ctx, NetworkParams params) {
    switch (BlockValidator.validateHeader(h, ctx, params)) {
      case ValidationResult.Reject r -> {
        // The header hash commits to the header and, through the parent hash, to everything the
        // check read; only a hash that meets its own target is remembered, so that filling this
        // memory costs the sender proof of work (a failure without it is as cheap to find again
        // as to look up).
        if (CompactTarget.isCanonical(h.bits()) && ProofOfWork.meetsTarget(hash, h.bits())) {
          remember(hash, new Failure(r.reason(), r.detail()));
        }
        return new ImportResult(Outcome.INVALID, hash, r.reason(), r.detail(), null);
      }
      case ValidationResult.Ignore i -> {
        return new ImportResult(Outcome.IGNORED, hash, i.reason(), i.detail(), null);
      }
      case ValidationResult.Accept a -> {
        return null;
      }
    }
  }

  /**
   * The body's stateless rules ({@link BlockValidator#validateBody}): null if they pass, else the
   * result, a rejection remembered as below.
   */
  ImportResult checkBody(Block block, Hash hash) {
    if (BlockValidator.validateBody(block) instanceof ValidationResult.Reject r) {
      // Remembered only if the header commits to this body: a body that does not match the
      // header's Merkle root says nothing about the header's hash (an attacker could otherwise
      // poison an honest block by sending its header with a mangled body). Transaction ids hash
      // the whole transaction, signature included, so a matching root pins every byte.
      if (r.reason() != RejectReason.BAD_MERKLE_ROOT
          && block.computeMerkleRoot().equals(block.header().merkleRoot())) {
        remember(hash, new Failure(r.reason(), r.detail()));
      }
      return new ImportResult(Outcome.INVALID, hash, r.reason(), r.detail(), null);
    }
    return null;
  }

  /** Why {@code hash} is invalid, or null if it is not remembered. */
  Failure get(Hash hash) {
    return failures.get(hash);
  }

  /** Remembers {@code hash} as invalid and drops the orphans that descend from it. */
  void remember(Hash hash, Failure f) {
    failures.put(hash, f);
    int dropped = orphans.removeDescendants(hash);
    if (dropped > 0) {
      LOG.debug("dropped {} orphans descending from invalid block {}", dropped, hash);
    }
  }
}
