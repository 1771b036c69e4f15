package dev.cairn.p2p.gossip;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One topic's application handler and the virtual thread ({@code gossip-deliver-<topic>}) that
 * calls it, so a slow handler never stalls the router.
 *
 * <p>Bound: {@link #CAPACITY} messages. At the limit a message is dropped for this handler (and
 * counted in {@link #dropped()}); it has still been forwarded to the network.
 */
final class Subscription {
  private static final Logger LOG = LogManager.getLogger();
  static final int CAPACITY = 4096;

  private final String topic;
  private final Consumer<GossipMessage> handler;
  private final ArrayBlockingQueue<GossipMessage> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;

  Subscription(String topic, Consumer<GossipMessage> handler) {
    this.topic = topic;
    this.handler = handler;
    this.thread = Thread.ofVirtual().name("gossip-deliver-" + topic).start(this::run);
  }

  void offer(GossipMessage m) {
    if (!queue.offer(m) && dropped.incrementAndGet() % 1000 == 1) {
      LOG.warn("handler of {} is too slow; dropped {} messages", topic, dropped.get());
    }
  }

  long dropped() {
    return dropped.get();
  }

  void close() {
    thread.interrupt();
  }

  private void run() {
    try {
      while (true) {
        GossipMessage m = queue.take();
        try {
          handler.accept(m);
        } catch (RuntimeException e) {
          LOG.error("handler of {} failed", topic, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
