package dev.cairn.node.miner;

import dev.cairn.chain.ChainService;
import dev.cairn.chain.HeadChange;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.Template;
import dev.cairn.chain.consensus.ProofOfWork;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The mining loop: block templates from the {@link ChainService}, the nonce search of {@link
 * ProofOfWork} on a configurable number of platform threads ({@code miner-<i>}, CPU-bound), found
 * blocks submitted with {@link ChainService#importBlock}.
 *
 * <p>Each thread searches its own slice of the 64-bit nonce space (thread {@code i} of {@code n}
 * starts at {@code i × 2^64 / n}), in chunks of {@link Config#chunk} nonces; {@code ProofOfWork}
 * hashes the header's fixed 108-byte prefix once per chunk and per nonce only the 8-byte tail.
 * Between chunks a thread checks the job's generation: a head change (a subscription; the listener
 * only bumps a counter, it never waits on the chain owner), a found block or an old template
 * ({@link Config#templateRefresh}, to pick up new transactions) makes the threads abandon the job
 * and the first of them fetches a new template.
 */
public final class Miner implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();

  /**
   * Mining settings.
   *
   * @param threads search threads (at least one)
   * @param payTo the address credited with reward and fees
   * @param chunk nonces per search call between checks for a new job
   * @param templateRefresh age after which a template is rebuilt even without a new head
   */
  public record Config(int threads, Address payTo, long chunk, Duration templateRefresh) {
    /** Checks the values. */
    public Config {
      if (threads < 1 || chunk < 1) {
        throw new IllegalArgumentException("threads and chunk must be positive");
      }
    }

    /** {@code threads} threads, 2^16 nonces a chunk, a new template every 10 s. */
    public static Config of(int threads, Address payTo) {
      return new Config(threads, payTo, 1 << 16, Duration.ofSeconds(10));
    }
  }

  private record Job(
      long generation,
      Template template,
      byte[] prefix,
      long createdNanos,
      AtomicBoolean claimed) {}

  private final ChainService chain;
  private final Config config;
  private final AtomicLong generation = new AtomicLong();
  private final LongAdder hashes = new LongAdder();
  private final AtomicLong found = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong jobs = new AtomicLong();
  private final ReentrantLock jobLock = new ReentrantLock();
  private final Condition retry = jobLock.newCondition();
  private final List<Thread> threads = new ArrayList<>();
  private final Consumer<HeadChange> listener = this::onHeadChange;
  private final Consumer<Block> onImported;
  private final long startNanos = System.nanoTime();

  /** Imports of found blocks not yet answered; {@link #close} waits for them. */
  private final java.util.Set<CompletableFuture<Void>> pending =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile Job job;
  private volatile boolean running = true;

  private Miner(ChainService chain, Config config, Consumer<Block> onImported) {
    this.chain = chain;
    this.config = config;
    this.onImported = onImported;
  }

  /** Subscribes to head changes and starts the threads. */
  public static Miner start(ChainService chain, Config config) {
    return start(chain, config, b -> {});
  }

  /**
   * As {@link #start(ChainService, Config)}; {@code onImported} hears each mined block the chain
   * imported (to publish it), on the thread that completed the import's reply (it must not block).
   */
  public static Miner start(ChainService chain, Config config, Consumer<Block> onImported) {
    Miner m = new Miner(chain, config, onImported);
    try {
      chain.subscribeHeadChanges(m.listener).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot subscribe to the chain", e);
    }
    for (int i = 0; i < config.threads(); i++) {
      int index = i;
      m.threads.add(Thread.ofPlatform().name("miner-" + i).daemon().start(() -> m.run(index)));
    }
    LOG.info("mining to {} on {} threads", config.payTo(), config.threads());
    return m;
  }

  // Runs on the chain owner thread: only bump the generation.
  private void onHeadChange(HeadChange change) {
    generation.incrementAndGet();
    restarts.incrementAndGet();
  }

  private void run(int index) {
    long sliceStart = Long.divideUnsigned(-1L, config.threads()) * index;
    long offset = 0;
    long jobGeneration = -1;
    Job current = null;
    while (running) {
      Job j = currentJob();
      if (j == null) {
        continue;
      }
      if (j != current) {
        current = j;
        offset = 0;
        jobGeneration = j.generation();
      }
      int bits = j.template().header().bits();
      OptionalLong nonce =
          ProofOfWork.search(j.prefix(), bits, sliceStart + offset, config.chunk());
      if (nonce.isPresent()) {
        long n = nonce.getAsLong();
        hashes.add(n - (sliceStart + offset) + 1);
        if (j.claimed().compareAndSet(false, true)) {
          generation.incrementAndGet(); // every thread leaves this template
          submit(j.template().block(n));
        }
      } else {
        hashes.add(config.chunk());
      }
      offset += config.chunk();
      if (generation.get() != jobGeneration) {
        current = null;
      }
    }
  }

  private void submit(Block block) {
    found.incrementAndGet();
    // Tracked until the reply's handling (logging, publishing) is done: close() waits for it.
    CompletableFuture<Void> handled = new CompletableFuture<>();
    pending.add(handled);
    chain
        .importBlock(block, "miner")
        .whenComplete(
            (r, e) -> {
              try {
                imported(block, r, e);
              } finally {
                pending.remove(handled);
                handled.complete(null);
              }
            });
  }

  private void imported(Block block, ImportResult r, Throwable e) {
    if (e != null && !running) {
      LOG.debug("mined block {} not imported, miner stopping: {}", block.hash(), e.toString());
    } else if (e != null) {
      LOG.warn("mined block {} not imported: {}", block.hash(), e.toString());
    } else {
      LOG.info(
          "mined block {} at height {}: {}", block.hash(), block.header().height(), r.outcome());
      if (r.imported()) {
        onImported.accept(block);
      }
    }
  }

  /** The job for the current generation, fetching a template if it is missing or stale. */
  private Job currentJob() {
    Job j = job;
    if (fresh(j)) {
      return j;
    }
    jobLock.lock();
    try {
      j = job;
      if (fresh(j)) {
        return j;
      }
      long gen = generation.get();
      try {
        Template t = chain.blockTemplate(config.payTo()).get(10, TimeUnit.SECONDS);
        j = new Job(gen, t, t.header().prefix(), System.nanoTime(), new AtomicBoolean());
        job = j;
        jobs.incrementAndGet();
        return j;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
        return null;
      } catch (Exception e) {
        if (!running) {
          return null;
        }
        LOG.warn("no block template: {}", e.toString());
        try {
          retry.await(1, TimeUnit.SECONDS); // wait before asking again; close() signals
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          running = false;
        }
        return null;
      }
    } finally {
      jobLock.unlock();
    }
  }

  private boolean fresh(Job j) {
    return j != null
        && j.generation() == generation.get()
        && System.nanoTime() - j.createdNanos() < config.templateRefresh().toNanos();
  }

  /** Hashes per second since start, all threads together. */
  public double hashRate() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return seconds <= 0 ? 0 : hashes.sum() / seconds;
  }

  /** Hashes computed so far. */
  public long hashes() {
    return hashes.sum();
  }

  /** Blocks found and submitted. */
  public long blocksFound() {
    return found.get();
  }

  /** Head changes seen (each abandons the current job). */
  public long restarts() {
    return restarts.get();
  }

  /** Templates fetched. */
  public long jobs() {
    return jobs.get();
  }

  /**
   * Stops the threads, waits (up to 10 s) for the chain to answer the imports of blocks already
   * found, so that their publishing starts before this returns, and unsubscribes.
   */
  @Override
  public void close() {
    running = false;
    generation.incrementAndGet();
    jobLock.lock();
    try {
      retry.signalAll();
    } finally {
      jobLock.unlock();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("pending mined-block imports at close: {}", e.toString());
    }
    chain.unsubscribeHeadChanges(listener);
  }
}
