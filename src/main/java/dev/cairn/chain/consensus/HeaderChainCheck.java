package dev.cairn.chain.consensus;

import dev.cairn.chain.ForkBase;
import dev.cairn.chain.consensus.ValidationResult.Accept;
import dev.cairn.chain.model.BlockHeader;
import java.math.BigInteger;
import java.util.List;

/**
 * Checks a run of headers that are not stored (a peer's header chain during sync) on the {@link
 * ForkBase} of the stored header the first one names as parent: each header must pass {@link
 * BlockValidator#validateHeader} in the context the previous ones give (linkage and height, bits
 * encoding and limit, the difficulty rule with the branch's own retarget anchor, proof of work,
 * median time past, future drift). Pure; costs one SHA-256 and one retarget per header.
 */
public final class HeaderChainCheck {
  private HeaderChainCheck() {}

  /**
   * What a run of headers proved.
   *
   * @param tip the base of the last accepted header (the given base when none was accepted): the
   *     base to check the next run on, and the cumulative work the accepted headers reach
   * @param accepted how many headers, from the first, passed
   * @param verdict {@code Accept} when all passed, else the verdict on header {@code accepted}:
   *     {@code Reject} for a broken rule, {@code Ignore} for a timestamp too far in the future
   */
  public record Result(ForkBase tip, int accepted, ValidationResult verdict) {
    /** True if every header passed. */
    public boolean complete() {
      return verdict instanceof Accept;
    }
  }

  /** Checks {@code headers} in order on {@code base}, stopping at the first that fails. */
  public static Result check(
      ForkBase base, List<BlockHeader> headers, NetworkParams params, long nowMillis) {
    ForkBase tip = base;
    int n = 0;
    for (BlockHeader h : headers) {
      HeaderContext ctx =
          new HeaderContext(tip.header(), tip.anchorTimestamp(), tip.recentTimestamps(), nowMillis);
      ValidationResult v = BlockValidator.validateHeader(h, ctx, params);
      if (!(v instanceof Accept)) {
        return new Result(tip, n, v);
      }
      tip = tip.extend(h);
      n++;
    }
    return new Result(tip, n, ValidationResult.ACCEPT);
  }

  /** The work of the accepted headers alone. */
  public static BigInteger work(ForkBase base, Result r) {
    return r.tip().cumulativeWork().subtract(base.cumulativeWork());
  }
}
