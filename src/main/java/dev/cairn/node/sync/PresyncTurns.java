package dev.cairn.node.sync;

import dev.cairn.node.sync.SyncPeers.Peer;
import dev.cairn.p2p.multiformats.PeerId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The presync side of {@link SyncState}: which peers' header chains are checked (at most {@link
 * SyncConfig#presyncPeers} at once, the least recently tried first), each presync's header requests
 * and what their answers prove, the proven presync with the most work made the source of the {@link
 * SyncRound}, and what a peer pays for announcing work it cannot show. Owned by the sync owner
 * thread.
 */
final class PresyncTurns {
  private static final Logger LOG = LogManager.getLogger(SyncManager.class);

  /** Peers whose unproven announcements we remember across reconnects (oldest forgotten). */
  static final int MAX_REMEMBERED = 1024;

  private final SyncContext ctx;
  private final SyncRound round;
  private final LongSupplier ids;

  /** Unproven announcements per peer, kept across reconnects (bounded, least recent dropped). */
  private final Map<PeerId, Integer> unproven =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Integer> e) {
          return size() > MAX_REMEMBERED;
        }
      };

  /** Most headers asked for in one request (tests ask for fewer, to see a chain grow). */
  int headersPerRequest = SyncState.HEADERS_PER_REQUEST;

  PresyncTurns(SyncContext ctx, SyncRound round, LongSupplier ids) {
    this.ctx = ctx;
    this.round = round;
    this.ids = ids;
  }

  /** A presync whose chain beats our head's work and the network's minimum. */
  private boolean proven(HeaderPresync ps, BigInteger ours) {
    BigInteger w = ps.work();
    return w != null && w.compareTo(ours) > 0 && w.compareTo(ctx.params().minimumChainWork()) >= 0;
  }

  /** A peer's claim is a reason to look at its headers: more work than ours and the minimum. */
  private boolean worthPresync(Peer p, BigInteger ours) {
    BigInteger c = p.claim();
    return c.compareTo(ours) > 0 && c.compareTo(ctx.params().minimumChainWork()) >= 0;
  }

  /**
   * One turn: drops the presyncs with nothing left to show, chooses the source, starts presyncs and
   * asks for headers. Returns whether a round or a presync started.
   */
  boolean turn(long now, BigInteger ours) {
    // Presyncs with nothing left to show us go; their memory with them.
    for (Peer p : ctx.peers().all()) {
      HeaderPresync ps = p.presync;
      if (ps != null
          && ps.request == 0
          && !round.isSource(ps)
          && !proven(ps, ours)
          && (ps.ended || !worthPresync(p, ours) || p.avoided(now))) {
        p.presync = null;
      }
    }
    boolean started = chooseSource(ours);
    started |= startPresyncs(now, ours);
    for (Peer p : ctx.peers().all()) {
      HeaderPresync ps = p.presync;
      if (ps == null || ps.request != 0 || ps.ended) {
        continue;
      }
      if (round.isSource(ps) ? ps.readyCount() < headersPerRequest : !proven(ps, ours)) {
        requestHeaders(p, ps);
      }
    }
    return started;
  }

  /** Presyncs running. */
  int running() {
    int n = 0;
    for (Peer p : ctx.peers().all()) {
      if (p.presync != null) {
        n++;
      }
    }
    return n;
  }

  /** The proven presync with the most work downloads; one with more than the source replaces it. */
  private boolean chooseSource(BigInteger ours) {
    HeaderPresync best = null;
    for (Peer p : ctx.peers().all()) {
      HeaderPresync ps = p.presync;
      if (ps != null
          && proven(ps, ours)
          && (best == null || ps.work().compareTo(best.work()) > 0)) {
        best = ps;
      }
    }
    if (best == null || round.isSource(best)) {
      return false;
    }
    HeaderPresync current = round.source();
    if (current != null) {
      Peer src = ctx.peers().get(current.peer);
      BigInteger shown = current.work().max(src == null ? BigInteger.ZERO : src.claim());
      if (best.work().compareTo(shown) <= 0) {
        return false;
      }
      LOG.info(
          "Sync: {} shows a chain with more work ({}) than {} ({}); syncing from it instead",
          best.peer.shortString(),
          best.work(),
          current.peer.shortString(),
          shown);
      round.abandon(null, 0);
    }
    round.start(best, ours);
    return true;
  }

  private boolean startPresyncs(long now, BigInteger ours) {
    int running = running();
    if (running >= ctx.config().presyncPeers()) {
      return false;
    }
    List<Peer> candidates = new ArrayList<>();
    for (Peer p : ctx.peers().all()) {
      if (p.presync == null && !p.avoided(now) && worthPresync(p, ours)) {
        candidates.add(p);
      }
    }
    candidates.sort(
        Comparator.comparingLong((Peer p) -> p.presyncStartedAt)
            .thenComparing(Peer::claim, Comparator.reverseOrder()));
    boolean started = false;
    for (Peer p : candidates) {
      if (running++ >= ctx.config().presyncPeers()) {
        break;
      }
      p.presync = new HeaderPresync(p.id);
      p.presyncStartedAt = now;
      started = true;
      LOG.debug(
          "Sync: checking the headers of {} (announces height {}, work {}; ours {})",
          p.id.shortString(),
          p.status.height(),
          p.status.cumulativeWork(),
          ours);
    }
    return started;
  }

  private void requestHeaders(Peer p, HeaderPresync ps) {
    int room = ps.room(ctx.config().presyncHeaders());
    if (room == 0) {
      // Our budget, not the peer's fault: it may well have the work, beyond what we hold.
      LOG.debug(
          "Sync: {}'s header chain needs more than {} headers to show more work than ours;"
              + " dropped for now",
          p.id.shortString(),
          ctx.config().presyncHeaders());
      dropPresync(p, ctx.cooldownFromNow());
      return;
    }
    ps.request = ids.getAsLong();
    ctx.out().requestHeaders(ps.request, p.id, ps.after(), Math.min(room, headersPerRequest));
  }

  private void dropPresync(Peer p, long avoidUntil) {
    if (p.presync != null && round.isSource(p.presync)) {
      round.abandon(null, 0);
    }
    p.presync = null;
    p.avoid(avoidUntil);
  }

  // ---- headers

  /** Headers answered one of our requests. */
  void onHeaders(SyncEvent.Headers e) {
    Peer p = ctx.peers().get(e.peer());
    HeaderPresync ps = p == null ? null : p.presync;
    if (ps == null || ps.request != e.request()) {
      return;
    }
    ps.request = 0;
    BigInteger ours = ctx.out().chain().cumulativeWork();
    long now = ctx.clock().millis();
    HeaderPresync.Step step = ps.accept(e.headers(), e.asked(), e.fork(), ctx.params(), now);
    switch (step) {
      case EMPTY -> {
        if (p.claim().compareTo(ours) > 0) {
          unproven(p, "announced work " + p.claim() + " but sent no headers after our locator");
        } else {
          p.presync = null;
        }
        return;
      }
      case INVALID -> {
        ctx.counters().increment(SyncCounter.INVALID_RESPONSES);
        ctx.out().penalize(p.id, SyncFailure.Kind.INVALID.penalty(), "sync: invalid header chain");
        unproven(p, "sent an invalid header chain: " + ps.detail);
        return;
      }
      case UNKNOWN_FORK -> {
        LOG.debug("Sync: headers from {}: {}", p.id.shortString(), ps.detail);
        dropPresync(p, now + SyncState.OWN_RULE_RETRY_MILLIS);
        return;
      }
      case MOVED -> {
        // Its chain changed under us (a reorg): start again from the new fork point.
        if (round.isSource(ps)) {
          round.abandon(null, 0);
          return;
        }
        if (ps.moves > SyncState.MAX_UNPROVEN) {
          dropPresync(p, now + ctx.config().peerCooldown().toMillis());
          return;
        }
      }
      case FUTURE -> LOG.debug("Sync: headers from {}: {}", p.id.shortString(), ps.detail);
      case EXTENDED -> {}
    }
    if (!e.headers().isEmpty()) {
      LOG.debug(
          "Sync: {} headers from {} (heights {}..{}), its chain now at work {}",
          e.headers().size(),
          p.id.shortString(),
          e.headers().getFirst().height(),
          e.headers().getLast().height(),
          ps.work());
    }
    if (ps.ended) {
      // Its chain ends here. Ending below what it announced is a lie only if it leaves nothing
      // for us: a chain with more work than ours is still worth having.
      if (step != HeaderPresync.Step.FUTURE
          && ps.work().compareTo(p.claim()) < 0
          && ps.work().compareTo(ours) <= 0) {
        unproven(
            p,
            "announced work "
                + p.claim()
                + " but its headers end at "
                + ps.work()
                + ", not above ours "
                + ours);
        return;
      }
      // Until it announces another head, it claims no more than it showed.
      p.endedWork = ps.work();
      p.endedHead = p.status.head();
    }
  }

  /** Our header request {@code id} to {@code peer} failed. */
  void onHeadersFailed(long id, PeerId peer, SyncFailure f) {
    ctx.peers().penalise(peer, f);
    Peer p = ctx.peers().get(peer);
    if (p == null || p.presync == null || p.presync.request != id) {
      return;
    }
    p.presync.request = 0;
    LOG.debug("Sync: headers from {} failed: {}", peer.shortString(), f.getMessage());
    if (f.kind() == SyncFailure.Kind.INVALID) {
      unproven(p, "sent bad headers: " + f.getMessage());
    } else {
      dropPresync(p, ctx.cooldownFromNow());
    }
  }

  /**
   * {@code p} announced work it could not show: it pays, is dropped as a source for the cool-down,
   * and is banned the {@value SyncState#MAX_UNPROVEN}th time.
   */
  void unproven(Peer p, String what) {
    SyncConfig config = ctx.config();
    ctx.counters().increment(SyncCounter.UNPROVEN_CLAIMS);
    int n = unproven.merge(p.id, 1, Integer::sum);
    LOG.info(
        "Sync: peer {} {}; not a sync source for {}s",
        p.id,
        what,
        config.peerCooldown().toSeconds());
    ctx.out().penalize(p.id, SyncState.UNPROVEN_WORK_PENALTY, "sync: " + what);
    dropPresync(p, ctx.cooldownFromNow());
    if (n >= SyncState.MAX_UNPROVEN) {
      unproven.remove(p.id);
      ctx.out()
          .ban(p.id, config.refusedBan(), "sync: announced work it could not show " + n + " times");
    }
  }
}
