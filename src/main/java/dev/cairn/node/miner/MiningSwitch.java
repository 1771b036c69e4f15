package dev.cairn.node.miner;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Turns the node's {@link Miner} on and off while the node runs ({@code --mine} at start, the
 * console's {@code mine on|off} later). A lock serialises the switching callers (API requests,
 * start, close); readers see the current miner through a volatile field. Counters survive a restart
 * of the miner: {@link #blocksFound} adds the blocks of the miners already stopped.
 */
public final class MiningSwitch implements AutoCloseable {
  /** What the miner does now: its address and threads, or nothing when it is off. */
  public record State(boolean on, Address payTo, int threads, double hashRate, long blocksFound) {}

  private final ChainService chain;
  private final Consumer<Block> onImported;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Miner miner;
  private volatile Miner.Config config;
  private volatile long foundByStopped;
  private boolean closed;

  /** A switch that starts miners on {@code chain}, each telling {@code onImported} its blocks. */
  public MiningSwitch(ChainService chain, Consumer<Block> onImported) {
    this.chain = chain;
    this.onImported = onImported;
  }

  /**
   * Starts mining to {@code payTo} on {@code threads} threads. A miner already running with other
   * settings is stopped first; one with the same settings keeps running.
   *
   * @return whether a miner was started
   */
  public boolean start(Address payTo, int threads) {
    Miner.Config wanted = Miner.Config.of(threads, payTo);
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the node is stopping");
      }
      if (miner != null && config.payTo().equals(payTo) && config.threads() == threads) {
        return false;
      }
      stopLocked();
      miner = Miner.start(chain, wanted, onImported);
      config = wanted;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops mining; its found blocks are imported and handed on first ({@link Miner#close}).
   *
   * @return whether a miner was running
   */
  public boolean stop() {
    lock.lock();
    try {
      return stopLocked();
    } finally {
      lock.unlock();
    }
  }

  private boolean stopLocked() {
    Miner m = miner;
    if (m == null) {
      return false;
    }
    m.close();
    foundByStopped += m.blocksFound();
    miner = null;
    return true;
  }

  /** Whether a miner runs. */
  public boolean isOn() {
    return miner != null;
  }

  /** The running miner, if any. */
  public Optional<Miner> miner() {
    return Optional.ofNullable(miner);
  }

  /** Hashes per second of the running miner; 0 when off. */
  public double hashRate() {
    Miner m = miner;
    return m == null ? 0 : m.hashRate();
  }

  /** Blocks found by every miner this switch ran. */
  public long blocksFound() {
    Miner m = miner;
    return foundByStopped + (m == null ? 0 : m.blocksFound());
  }

  /** A snapshot for the API. */
  public State state() {
    Miner m = miner;
    Miner.Config c = config;
    return m == null
        ? new State(false, null, 0, 0, blocksFound())
        : new State(true, c.payTo(), c.threads(), m.hashRate(), blocksFound());
  }

  /** Stops the miner for good; later {@link #start} calls fail. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      stopLocked();
    } finally {
      lock.unlock();
    }
  }
}
