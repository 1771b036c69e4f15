package dev.cairn.node.sync;

import static dev.cairn.node.sync.SyncStateTest.CHEAP;
import static dev.cairn.node.sync.SyncStateTest.HEAVY;
import static dev.cairn.node.sync.SyncStateTest.HEAVY_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.SyncWorld.TestPeer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

/**
 * Fuzzes sync's state machine ({@link SyncState} in a {@link SyncWorld}) with three peers whose
 * chains, claims and conduct the fuzzer picks, an honest peer holding the chain with the most work,
 * and an order of connects, disconnects, unsolicited statuses, orphans and clock moves the fuzzer
 * picks too. The fuzzed peers can only serve chains whose work is real (they cannot mine), so
 * whatever they claim or serve: no exception leaves {@code handle}, no body is ever asked for a
 * chain whose headers did not prove more work than ours, a presync never holds more headers than
 * its budget, the honest peer is never penalised, and once it is connected and time passes, sync
 * ends on its chain.
 */
class SyncStateFuzzTest {
  private static final int PRESYNC_HEADERS = 1_000;
  private static final Duration SETTLE = Duration.ofMinutes(3);

  @FuzzTest(maxDuration = "30s")
  void syncEndsOnTheHeaviestChainWhateverFuzzedPeersDo(FuzzedDataProvider data) {
    SyncWorld world =
        new SyncWorld(
            dev.cairn.chain.ChainFixture.PARAMS,
            SyncConfig.defaults().withPresync(2, PRESYNC_HEADERS));
    if (data.consumeBoolean()) { // headers arrive in chunks, so a presync proves work step by step
      world.state.headersPerRequest(data.consumeInt(1, 100));
    }
    TestPeer honest = world.peer(100, HEAVY);
    List<TestPeer> fuzzed =
        List.of(fuzzedPeer(world, 1, data), fuzzedPeer(world, 2, data), fuzzedPeer(world, 3, data));

    if (data.consumeBoolean()) { // the fuzzed peers meet a node already synced
      world.connect(honest);
      world.run();
      world.advance(Duration.ofSeconds(5));
    }
    int steps = data.consumeInt(0, 40);
    for (int i = 0; i < steps && data.remainingBytes() > 0; i++) {
      TestPeer p = data.consumeBoolean() ? honest : data.pickValue(fuzzed);
      switch (data.consumeInt(0, 5)) {
        case 0 -> {
          if (!world.connected.contains(p.id)) {
            world.connect(p);
          }
        }
        case 1 -> {
          if (world.connected.remove(p.id)) {
            world.handle(new SyncEvent.Disconnected(p.id));
          }
        }
        case 2 -> {
          if (world.connected.contains(p.id) && p != honest) {
            world.handle(new SyncEvent.StatusIn(p.id, status(world, p, data)));
          }
        }
        case 3 -> {
          if (world.connected.contains(p.id)) {
            Block b = data.pickValue(data.consumeBoolean() ? HEAVY : CHEAP);
            world.handle(new SyncEvent.Orphan(p.id, b.hash()));
          }
        }
        case 4 -> world.advance(Duration.ofMillis(200L * data.consumeInt(1, 200)));
        default -> {}
      }
      world.run();
      assertInvariants(world, honest);
    }

    if (!world.connected.contains(honest.id)) {
      world.connect(honest);
    }
    world.run();
    world.advance(SETTLE);
    assertInvariants(world, honest);
    assertThat(world.bans).doesNotContain(honest.id);
    assertThat(world.chain.head.header()).isEqualTo(HEAVY.getLast().header());
  }

  private static void assertInvariants(SyncWorld world, TestPeer honest) {
    assertThat(world.unprovenBodyRequests).isZero();
    assertThat(world.maxHeld).isLessThanOrEqualTo(PRESYNC_HEADERS);
    assertThat(world.penaltiesOf(honest)).isEmpty();
  }

  /** A peer serving a prefix of a real chain, claiming what the fuzzer says, lying as it says. */
  private static TestPeer fuzzedPeer(SyncWorld world, int seed, FuzzedDataProvider data) {
    List<Block> chain =
        switch (data.consumeInt(0, 2)) {
          case 0 -> HEAVY;
          case 1 -> CHEAP;
          default -> HEAVY_SHORT;
        };
    TestPeer p = world.peer(seed, chain.subList(0, data.consumeInt(0, chain.size())));
    if (data.consumeBoolean()) {
      p.claim = claim(data);
    }
    p.emptyHeaders = data.consumeBoolean();
    p.unavailableBodies = data.consumeBoolean();
    if (data.consumeBoolean()) {
      p.servesUpTo = data.consumeLong(0, 700);
    }
    if (data.consumeBoolean() && !p.chain.isEmpty()) {
      // A real header at the height of one of its own: the chain it serves breaks there.
      Block other = data.pickValue(chain == CHEAP ? HEAVY : CHEAP);
      p.badHeader = other.header();
    }
    return p;
  }

  private static BigInteger claim(FuzzedDataProvider data) {
    byte[] magnitude = data.consumeBytes(data.consumeInt(0, 40));
    return new BigInteger(1, magnitude);
  }

  private static Status status(SyncWorld world, TestPeer p, FuzzedDataProvider data) {
    Status real = p.status();
    Hash head = data.consumeBoolean() ? real.head() : data.pickValue(CHEAP).hash();
    return new Status(
        real.network(), real.genesis(), head, data.consumeLong(0, 1_000_000), claim(data));
  }
}
