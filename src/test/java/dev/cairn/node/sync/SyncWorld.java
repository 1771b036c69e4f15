package dev.cairn.node.sync;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainView;
import dev.cairn.chain.ForkBase;
import dev.cairn.chain.consensus.CompactTarget;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.TimeRules;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.FakeClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A world for {@link SyncState} tests, stepped on the test thread: a fake chain that imports what
 * sync asks it to, scripted peers that answer (or lie, or stay silent), a clock the test moves, and
 * a record of every effect (requests, penalties, bans).
 */
final class SyncWorld implements SyncOutput {
  record Penalty(PeerId peer, int points, String reason) {}

  record BlockRequest(PeerId peer, List<Hash> hashes) {}

  record HeaderRequest(PeerId peer, Hash after, int max) {}

  /** Our chain: every block it took, the head the one with the most work (first seen on ties). */
  static final class FakeChain {
    record Entry(BlockHeader header, BigInteger work) {}

    final NetworkParams params;
    final Map<Hash, Entry> blocks = new HashMap<>();
    final Set<Hash> invalid = new HashSet<>();
    final BlockHeader genesis;
    Entry head;
    long version;

    /** What our own rules answer to every import, or null to import. */
    String ignoreAll;

    FakeChain(NetworkParams params) {
      this.params = params;
      this.genesis = params.genesisHeader();
      head = new Entry(genesis, CompactTarget.work(genesis.bits()));
      blocks.put(genesis.hash(), head);
    }

    /** Null when imported, else "orphaned", "invalid" or the own rule's answer. */
    String take(Block b) {
      if (ignoreAll != null) {
        return ignoreAll;
      }
      if (invalid.contains(b.hash())) {
        return "invalid";
      }
      Entry parent = blocks.get(b.header().parent());
      if (parent == null) {
        return "orphaned";
      }
      Entry e = new Entry(b.header(), parent.work().add(CompactTarget.work(b.header().bits())));
      blocks.putIfAbsent(b.hash(), e);
      if (e.work().compareTo(head.work()) > 0) {
        head = e;
      }
      version++;
      return null;
    }

    void importAll(List<Block> bs) {
      for (Block b : bs) {
        if (take(b) != null) {
          throw new IllegalStateException("test import of " + b.hash());
        }
      }
    }

    ChainView view() {
      return new ChainView(
          params.name(),
          genesis.hash(),
          head.header().hash(),
          head.header(),
          head.work(),
          List.of(head.header()),
          0,
          0,
          version);
    }

    List<Hash> canonical() {
      List<Hash> out = new ArrayList<>();
      for (BlockHeader h = head.header(); ; h = blocks.get(h.parent()).header()) {
        out.add(h.hash());
        if (h.height() == 0) {
          break;
        }
      }
      Collections.reverse(out);
      return out;
    }

    /** Head, ten below, then doubling steps, then genesis (as ChainState). */
    List<Hash> locator() {
      List<Hash> c = canonical();
      List<Hash> out = new ArrayList<>();
      long step = 1;
      long h = c.size() - 1;
      while (h > 0) {
        out.add(c.get((int) h));
        if (out.size() >= 10) {
          step *= 2;
        }
        h -= step;
      }
      out.add(genesis.hash());
      return out;
    }

    ForkBase forkBase(Hash hash) {
      Entry e = blocks.get(hash);
      if (e == null) {
        return null;
      }
      List<Long> times = new ArrayList<>();
      BlockHeader x = e.header();
      long anchor = x.timestamp();
      while (true) {
        if (times.size() < TimeRules.MEDIAN_SPAN) {
          times.add(x.timestamp());
        }
        if (x.height() == 1) {
          anchor = x.timestamp();
        }
        if (x.height() <= 1) {
          break;
        }
        x = blocks.get(x.parent()).header();
      }
      return new ForkBase(e.header(), e.work(), anchor, times);
    }

    long height() {
      return head.header().height();
    }
  }

  /** A scripted peer: serves its chain honestly unless told otherwise. */
  static final class TestPeer {
    final PeerId id;
    final Map<Hash, Block> byHash = new HashMap<>();
    final List<Block> chain = new ArrayList<>();
    final NetworkParams params;

    /** The work it announces (null: its chain's real work). */
    BigInteger claim;

    boolean emptyHeaders;
    boolean withholdHeaders;
    boolean unavailableBodies;

    /** Serves no header above this height (its chain "ends" there). */
    long servesUpTo = Long.MAX_VALUE;

    /** Served in place of its chain's header at the same height (null: none). */
    BlockHeader badHeader;

    TestPeer(int seed, NetworkParams params, List<Block> chain) {
      byte[] s = new byte[32];
      new java.util.Random(seed).nextBytes(s);
      this.id = PeerId.fromPublicKey(Ed25519PrivateKey.fromSeed(s).publicKey());
      this.params = params;
      setChain(chain);
    }

    void setChain(List<Block> blocks) {
      chain.clear();
      chain.addAll(blocks);
      for (Block b : blocks) {
        byHash.put(b.hash(), b);
      }
    }

    BigInteger work() {
      BigInteger w = CompactTarget.work(params.genesisHeader().bits());
      for (Block b : chain) {
        w = w.add(CompactTarget.work(b.header().bits()));
      }
      return w;
    }

    Status status() {
      BlockHeader head = chain.isEmpty() ? params.genesisHeader() : chain.getLast().header();
      return new Status(
          params.name(),
          params.genesisHeader().hash(),
          head.hash(),
          head.height(),
          claim != null ? claim : work());
    }

    List<BlockHeader> headers(List<Hash> locator, int max) {
      if (emptyHeaders) {
        return List.of();
      }
      int start = 0; // index into chain of the first header to send
      for (Hash h : locator) {
        if (h.equals(params.genesisHeader().hash())) {
          start = 0;
          break;
        }
        Block b = byHash.get(h);
        if (b != null && chain.get((int) b.header().height() - 1).equals(b)) {
          start = (int) b.header().height();
          break;
        }
      }
      List<BlockHeader> out = new ArrayList<>();
      for (int i = start; i < chain.size() && out.size() < max; i++) {
        BlockHeader h = chain.get(i).header();
        if (h.height() > servesUpTo) {
          break;
        }
        out.add(badHeader != null && badHeader.height() == h.height() ? badHeader : h);
      }
      return out;
    }

    List<Block> blocks(List<Hash> hashes) {
      return unavailableBodies ? new ArrayList<>() : ChainFixture.knownPrefix(byHash, hashes);
    }
  }

  final FakeClock clock = new FakeClock(ChainFixture.NOW);
  final NetworkParams params;
  final FakeChain chain;
  final SyncConfig config;
  final SyncState state;
  final Map<PeerId, TestPeer> peers = new HashMap<>();
  final Set<PeerId> connected = new HashSet<>();
  final ArrayDeque<Runnable> pending = new ArrayDeque<>();
  final List<Penalty> penalties = new ArrayList<>();
  final List<PeerId> bans = new ArrayList<>();
  final List<BlockRequest> blockRequests = new ArrayList<>();
  final List<HeaderRequest> headerRequests = new ArrayList<>();
  final List<Hash> imported = new ArrayList<>();
  int maxHeld;
  int unprovenBodyRequests;

  SyncWorld(NetworkParams params, SyncConfig config) {
    this.params = params;
    this.chain = new FakeChain(params);
    this.config = config;
    this.state = new SyncState(config, params, params.name(), clock, this, new SyncCounters());
  }

  SyncWorld() {
    this(ChainFixture.PARAMS, SyncConfig.defaults());
  }

  TestPeer peer(int seed, List<Block> blocks) {
    TestPeer p = new TestPeer(seed, params, blocks);
    peers.put(p.id, p);
    return p;
  }

  void connect(TestPeer p) {
    connected.add(p.id);
    handle(new SyncEvent.Connected(p.id));
  }

  void handle(SyncEvent e) {
    state.handle(e);
    for (PeerId id : peers.keySet()) {
      maxHeld = Math.max(maxHeld, state.presyncHeld(id));
    }
  }

  /** Delivers answers until nothing is left to answer. */
  void run() {
    for (int i = 0; i < 1_000_000 && !pending.isEmpty(); i++) {
      pending.poll().run();
    }
    if (!pending.isEmpty()) {
      throw new IllegalStateException("the world does not settle");
    }
  }

  /** Moves the clock by {@code d} in ticks of 200 ms, answering as it goes. */
  void advance(Duration d) {
    for (long t = 0; t < d.toMillis(); t += 200) {
      clock.advanceMillis(200);
      handle(new SyncEvent.Tick());
      run();
    }
  }

  List<Penalty> penaltiesOf(TestPeer p) {
    return penalties.stream().filter(x -> x.peer().equals(p.id)).toList();
  }

  /** Block requests for any block of {@code blocks}. */
  List<BlockRequest> bodyRequestsFor(List<Block> blocks) {
    Set<Hash> set = new HashSet<>();
    blocks.forEach(b -> set.add(b.hash()));
    return blockRequests.stream().filter(r -> r.hashes().stream().anyMatch(set::contains)).toList();
  }

  // ---- SyncOutput

  @Override
  public ChainView chain() {
    return chain.view();
  }

  @Override
  public boolean isConnected(PeerId peer) {
    return connected.contains(peer);
  }

  @Override
  public String identifiedNetwork(PeerId peer) {
    return "";
  }

  @Override
  public void requestStatus(PeerId peer) {
    TestPeer p = peers.get(peer);
    pending.add(
        () -> {
          if (connected.contains(peer)) {
            handle(new SyncEvent.StatusOut(peer, p.status()));
          }
        });
  }

  @Override
  public void requestHeaders(long request, PeerId peer, Hash after, int max) {
    headerRequests.add(new HeaderRequest(peer, after, max));
    TestPeer p = peers.get(peer);
    if (p.withholdHeaders) {
      return; // never answers (a timeout would come from the worker, much later)
    }
    pending.add(
        () -> {
          List<Hash> locator = new ArrayList<>();
          if (after != null) {
            locator.add(after);
          }
          locator.addAll(chain.locator());
          List<BlockHeader> hs = p.headers(locator, max);
          ForkBase fork = null;
          if (!hs.isEmpty() && !hs.getFirst().parent().equals(after)) {
            fork = chain.forkBase(hs.getFirst().parent());
          }
          handle(new SyncEvent.Headers(request, peer, hs, max, fork));
        });
  }

  @Override
  public void requestBlocks(long job, int index, PeerId peer, List<Hash> hashes) {
    blockRequests.add(new BlockRequest(peer, hashes));
    // The rule under every body request: the source's headers beat our work and the minimum.
    java.math.BigInteger shown = state.sourceWork();
    if (shown == null
        || shown.compareTo(chain.head.work()) <= 0
        || shown.compareTo(params.minimumChainWork()) < 0) {
      unprovenBodyRequests++;
    }
    TestPeer p = peers.get(peer);
    pending.add(
        () -> {
          List<Block> bs = p.blocks(hashes);
          if (bs.isEmpty()) {
            handle(
                new SyncEvent.BatchFailed(
                    job,
                    index,
                    peer,
                    new SyncFailure(SyncFailure.Kind.UNAVAILABLE, "unknown block")));
          } else {
            handle(new SyncEvent.BatchDone(job, index, peer, bs));
          }
        });
  }

  @Override
  public void importBlocks(long job, int index, List<Block> blocks, String source) {
    pending.add(
        () -> {
          for (Block b : blocks) {
            String why = chain.take(b);
            if (why != null) {
              handle(new SyncEvent.ImportFailed(job, index, why, why.equals("invalid")));
              return;
            }
            imported.add(b.hash());
          }
          handle(new SyncEvent.Imported(job, index, blocks.size()));
        });
  }

  @Override
  public void fetchAncestors(PeerId peer, Hash wanted) {}

  @Override
  public void penalize(PeerId peer, int points, String reason) {
    penalties.add(new Penalty(peer, points, reason));
  }

  @Override
  public void ban(PeerId peer, Duration duration, String reason) {
    bans.add(peer);
    if (connected.remove(peer)) {
      pending.add(() -> handle(new SyncEvent.Disconnected(peer)));
    }
  }
}
