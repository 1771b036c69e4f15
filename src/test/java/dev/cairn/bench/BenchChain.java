package dev.cairn.bench;

import dev.cairn.chain.consensus.Difficulty;
import dev.cairn.chain.consensus.NetworkParams;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Merkle;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The benchmarks' chain: a network on the easiest target whose senders are funded at genesis, and a
 * chain of blocks 1 s apart built on it in seconds.
 */
final class BenchChain {
  private BenchChain() {}

  /** Funded senders and the network that funds them. */
  record Funded(SigningKey[] keys, NetworkParams params) {}

  /** The transactions of block {@code block} (0-based); {@code nonces} are the senders' next. */
  interface Transactions {
    List<Transaction> of(int block, long[] nonces);
  }

  /**
   * {@code senders} keys (seed SHA-256("{@code keyPrefix} i")), each holding 10,000 coins at
   * genesis, on network {@code name}: 1 s blocks, a one-minute ASERT half-life.
   */
  static Funded funded(
      String keyPrefix,
      int senders,
      String name,
      int chainId,
      long genesisTime,
      long maxFutureDriftMillis) {
    SigningKey[] keys = new SigningKey[senders];
    List<NetworkParams.Allocation> alloc = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      keys[i] =
          SigningKey.fromSeed(
              Hash.sha256((keyPrefix + " " + i).getBytes(StandardCharsets.US_ASCII)).bytes());
      alloc.add(new NetworkParams.Allocation(keys[i].address(), 1_000_000_000_000L));
    }
    alloc.sort(Comparator.comparing(a -> a.address().hex()));
    NetworkParams p =
        new NetworkParams(
            name,
            chainId,
            genesisTime,
            0x207fffff,
            0x207fffff,
            1_000,
            60_000,
            maxFutureDriftMillis,
            5_000,
            0,
            1,
            alloc,
            BigInteger.ZERO);
    return new Funded(keys, p);
  }

  /** {@code n} blocks from genesis, one block time apart, mined with {@code txs}. */
  static List<Block> build(NetworkParams p, int senders, int n, Transactions txs) {
    List<Block> out = new ArrayList<>();
    BlockHeader parent = p.genesisHeader();
    long[] nonces = new long[senders];
    long anchor = 0;
    for (int b = 0; b < n; b++) {
      List<Transaction> list = txs.of(b, nonces);
      List<Hash> ids = list.stream().map(Transaction::id).toList();
      BlockHeader h =
          new BlockHeader(
              BlockHeader.VERSION,
              parent.height() + 1,
              parent.hash(),
              Merkle.root(ids),
              Address.of(new byte[20]),
              parent.timestamp() + p.blockTimeMillis(),
              Difficulty.nextBits(p, parent.height(), parent.timestamp(), anchor),
              0);
      long nonce = ProofOfWork.search(h.prefix(), h.bits(), 0, Long.MAX_VALUE).orElseThrow();
      Block block = new Block(h.withNonce(nonce), list);
      out.add(block);
      if (b == 0) {
        anchor = block.header().timestamp();
      }
      parent = block.header();
    }
    return out;
  }
}
