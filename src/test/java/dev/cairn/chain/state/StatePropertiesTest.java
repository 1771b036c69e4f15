package dev.cairn.chain.state;

import static dev.cairn.chain.ChainFixture.Trivial.PARAMS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of valid and invalid transactions in blocks: supply is always genesis plus the
 * rewards of accepted blocks, every sender's nonce equals its accepted transactions in order, a
 * rejected block changes nothing, and undoing every block in reverse returns exactly to genesis.
 */
@Timeout(120)
class StatePropertiesTest {
  static final int KEYS =
      4; // keys 0 and 1 are funded in ChainFixture.Trivial.PARAMS; 2 and 3 are not
  static final SigningKey[] KEY = new SigningKey[KEYS];

  static {
    for (int i = 0; i < KEYS; i++) {
      KEY[i] = ChainFixture.Trivial.key(i);
    }
  }

  /** One transaction intent; the nonce is the sender's next nonce plus {@code nonceShift}. */
  record Op(int from, int to, long amount, long fee, int nonceShift, int corruption) {}

  /** A random plan: up to 8 blocks of up to 8 operations, drawn like the cases above. */
  static List<List<Op>> plan(Random r) {
    List<List<Op>> blocks = new ArrayList<>();
    int count = r.nextInt(9);
    for (int b = 0; b < count; b++) {
      List<Op> ops = new ArrayList<>();
      int n = r.nextInt(9);
      for (int i = 0; i < n; i++) {
        long amount = r.nextInt(20) == 0 ? Long.MAX_VALUE : r.nextLong(-2, 900_001);
        int[] shifts = {0, 0, 0, 0, 0, 0, -1, 1};
        int[] corruptions = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
        ops.add(
            new Op(
                r.nextInt(KEYS),
                r.nextInt(KEYS + 1),
                amount,
                r.nextLong(0, 50_001),
                shifts[r.nextInt(shifts.length)],
                corruptions[r.nextInt(corruptions.length)]));
      }
      blocks.add(ops);
    }
    return blocks;
  }

  /** 80 seeded random plans; a failure names its seed, so it replays exactly. */
  static java.util.stream.LongStream seeds() {
    return java.util.stream.LongStream.range(0, 80);
  }

  static Transaction build(Op op, Map<Address, Long> nextNonce) {
    SigningKey from = KEY[op.from()];
    Address to = op.to() == KEYS ? ChainFixture.Trivial.key(99).address() : KEY[op.to()].address();
    long nonce = nextNonce.getOrDefault(from.address(), 0L) + op.nonceShift();
    int chain =
        op.corruption() == 2 ? ChainFixture.Trivial.CHAIN_ID + 1 : ChainFixture.Trivial.CHAIN_ID;
    Transaction t = Transaction.signed(from, chain, to, op.amount(), op.fee(), nonce);
    if (op.corruption() == 1) {
      byte[] sig = t.signature();
      sig[0] ^= 0x40;
      t = t.withSignature(sig);
    }
    return t;
  }

  static Block block(long height, List<Transaction> txs) {
    Address miner = KEY[(int) (height % KEYS)].address();
    BlockHeader h =
        new BlockHeader(
            1,
            height,
            Hash.ZERO,
            Hash.ZERO,
            miner,
            ChainFixture.Trivial.T0 + height,
            0x207fffff,
            height);
    return new Block(h, txs);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void supplyIsConservedNoncesAdvanceInOrderAndUndoIsExact(long seed) {
    List<List<Op>> plan = plan(new Random(seed));
    InMemoryAccounts state = InMemoryAccounts.genesis(PARAMS);
    final InMemoryAccounts genesis = state;
    long expectedSupply = PARAMS.genesisSupply();
    Map<Address, Long> accepted = new HashMap<>();
    Deque<Undo> undos = new ArrayDeque<>();
    Deque<InMemoryAccounts> history = new ArrayDeque<>();
    long height = 1;
    for (List<Op> ops : plan) {
      List<Transaction> txs = new ArrayList<>();
      Map<Address, Long> next = new HashMap<>();
      for (Address a : genesis.accounts().keySet()) {
        next.put(a, state.account(a).map(Account::nonce).orElse(0L));
      }
      for (Op op : ops) {
        Transaction t = build(op, next);
        next.merge(t.sender(), 1L, Long::sum);
        txs.add(t);
      }
      // Like a miner: drop the offending transaction until the block applies.
      while (true) {
        ApplyResult r = StateTransition.applyBlock(block(height, txs), state, PARAMS);
        if (r instanceof ApplyResult.Applied a) {
          for (Transaction t : txs) {
            long before = accepted.getOrDefault(t.sender(), 0L);
            assertThat(t.nonce()).isEqualTo(before);
            accepted.put(t.sender(), before + 1);
          }
          InMemoryAccounts after = state.apply(a.delta());
          assertThat(after.revert(a.undo())).isEqualTo(state);
          try {
            assertThat(StateCodec.decodeUndo(a.undo().block(), StateCodec.encode(a.undo())))
                .isEqualTo(a.undo());
          } catch (dev.cairn.chain.model.DecodeException e) {
            throw new AssertionError(e);
          }
          history.push(state);
          undos.push(a.undo());
          state = after;
          expectedSupply += PARAMS.reward(height);
          height++;
          break;
        }
        ApplyResult.Rejected rej = (ApplyResult.Rejected) r;
        assertThat(rej.txIndex()).as(rej.toString()).isBetween(0, txs.size() - 1);
        txs.remove(rej.txIndex());
      }
      assertThat(state.totalSupply()).isEqualTo(expectedSupply);
      for (SigningKey k : KEY) {
        long n = state.account(k.address()).map(Account::nonce).orElse(0L);
        assertThat(n).isEqualTo(accepted.getOrDefault(k.address(), 0L));
      }
      for (Account a : state.accounts().values()) {
        assertThat(a.balance()).isNotNegative();
      }
    }
    while (!undos.isEmpty()) {
      state = state.revert(undos.pop());
      assertThat(state).isEqualTo(history.pop());
    }
    assertThat(state).isEqualTo(genesis);
  }
}
