package dev.cairn.node.sync;

import dev.cairn.chain.ForkBase;
import dev.cairn.chain.consensus.HeaderChainCheck;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ValidationResult;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One peer's header chain while we decide whether it is worth its bodies: the fork point with our
 * chain, the headers after it that passed {@link HeaderChainCheck} (held here, never in the store)
 * and the tip they reach. Fetched chunk by chunk, each after the last verified header.
 *
 * <p><b>Memory:</b> at most {@link SyncConfig#presyncHeaders} headers per peer (the caller asks for
 * no more than {@link #room} and drops a presync that fills its budget without showing enough
 * work); a header held costs about {@value #HEADER_HEAP_BYTES} bytes of heap. Headers handed to the
 * body download still count until they are imported ({@link #handedOut}).
 *
 * <p>Owned by {@link SyncState} (its thread); not thread-safe.
 */
final class HeaderPresync {
  /** Heap a {@link BlockHeader} costs, roughly (116 bytes of fields, two hashes, objects). */
  static final int HEADER_HEAP_BYTES = 320;

  /** What a headers answer did to the presync. */
  enum Step {
    /** Headers appended (possibly none, when the chain ended). */
    EXTENDED,
    /** The peer answered nothing at all to our first request. */
    EMPTY,
    /** A header broke a consensus rule: the peer sent an invalid chain. */
    INVALID,
    /** A header is too far in the future: the verified prefix is kept and the chain ends there. */
    FUTURE,
    /** The answer continues from another fork point than our last header: the peer reorganised. */
    MOVED,
    /** The answer's fork point is not a block we know (our chain moved under the request). */
    UNKNOWN_FORK
  }

  final PeerId peer;

  /** Id of the headers request in flight, 0 when none. */
  long request;

  /** Our block the chain forks from; null before the first answer. */
  private ForkBase base;

  /**
   * The last verified header's base (its work, anchor, timestamps); null before the first answer.
   */
  private ForkBase tip;

  /** Verified headers not yet handed to the body download, oldest first. */
  private final ArrayDeque<BlockHeader> ready = new ArrayDeque<>();

  /** Headers handed to the body download and not yet imported. */
  int handedOut;

  /** The peer's last answer was shorter than asked: its chain ends at {@link #tip}. */
  boolean ended;

  /** Times the peer's chain moved under us. */
  int moves;

  /** The reason the last step failed, for logs. */
  String detail = "";

  HeaderPresync(PeerId peer) {
    this.peer = peer;
  }

  /** The hash to continue after (the last verified header), or null for the first request. */
  Hash after() {
    return tip == null ? null : tip.header().hash();
  }

  /** Cumulative work of the verified chain (fork point plus headers); null before any answer. */
  BigInteger work() {
    return tip == null ? null : tip.cumulativeWork();
  }

  /** Height of the last verified header; -1 before any answer. */
  long tipHeight() {
    return tip == null ? -1 : tip.header().height();
  }

  /** The fork point's height; -1 before any answer. */
  long forkHeight() {
    return base == null ? -1 : base.header().height();
  }

  /** Headers held: verified and waiting, plus handed out and not imported. */
  int held() {
    return ready.size() + handedOut;
  }

  /** Headers that fit in {@code budget}. */
  int room(int budget) {
    return Math.max(0, budget - held());
  }

  /** Verified headers waiting for the body download. */
  int readyCount() {
    return ready.size();
  }

  /** Takes up to {@code n} verified headers for the body download. */
  List<BlockHeader> take(int n) {
    int k = Math.min(n, ready.size());
    BlockHeader[] out = new BlockHeader[k];
    for (int i = 0; i < k; i++) {
      out[i] = ready.poll();
    }
    handedOut += k;
    return List.of(out);
  }

  /**
   * Takes a headers answer: {@code headers} answered a request for {@code asked}; {@code fork} is
   * the base of the first header's parent when it is not our last verified header (looked up by the
   * worker; null if we do not know that block).
   */
  Step accept(
      List<BlockHeader> headers, int asked, ForkBase fork, NetworkParams params, long nowMillis) {
    if (headers.isEmpty()) {
      if (tip == null) {
        return Step.EMPTY;
      }
      ended = true;
      return Step.EXTENDED;
    }
    boolean continues = tip != null && headers.getFirst().parent().equals(tip.header().hash());
    Step moved = null;
    if (!continues) {
      if (fork == null || !fork.header().hash().equals(headers.getFirst().parent())) {
        detail = "fork point " + headers.getFirst().parent() + " unknown";
        return Step.UNKNOWN_FORK;
      }
      if (tip != null) {
        moves++;
        moved = Step.MOVED;
      }
      base = fork;
      tip = fork;
      ready.clear();
      handedOut = 0; // a download of the old chain is abandoned by the caller
      ended = false;
    }
    HeaderChainCheck.Result r = HeaderChainCheck.check(tip, headers, params, nowMillis);
    switch (r.verdict()) {
      case ValidationResult.Reject j -> {
        detail =
            "header " + headers.get(r.accepted()).height() + ": " + j.reason() + " " + j.detail();
        return Step.INVALID;
      }
      case ValidationResult.Ignore i -> {
        ready.addAll(headers.subList(0, r.accepted()));
        tip = r.tip();
        ended = true;
        detail = "header " + headers.get(r.accepted()).height() + ": " + i.detail();
        return Step.FUTURE;
      }
      case ValidationResult.Accept a -> {
        ready.addAll(headers);
        tip = r.tip();
        ended = headers.size() < asked;
      }
    }
    return moved != null ? moved : Step.EXTENDED;
  }
}
