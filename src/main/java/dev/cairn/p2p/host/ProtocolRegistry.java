package dev.cairn.p2p.host;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The host's protocol handlers by protocol id, and who wants to hear when they change (identify
 * pushes our new list). Readers take an immutable snapshot without a lock; writers copy under one.
 */
final class ProtocolRegistry {
  private static final Logger LOG = LogManager.getLogger();

  private final ReentrantLock write = new ReentrantLock();
  private volatile Map<String, ProtocolHandler> handlers = Map.of();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** The handlers now, immutable: a stream negotiates against one snapshot. */
  Map<String, ProtocolHandler> snapshot() {
    return handlers;
  }

  Set<String> protocols() {
    return new LinkedHashSet<>(handlers.keySet());
  }

  void set(String protocol, ProtocolHandler handler) {
    change(copy -> copy.put(protocol, handler));
  }

  void remove(String protocol) {
    change(copy -> copy.remove(protocol));
  }

  void addListener(Runnable listener) {
    listeners.add(listener);
  }

  private void change(Consumer<Map<String, ProtocolHandler>> edit) {
    write.lock();
    try {
      Map<String, ProtocolHandler> copy = new LinkedHashMap<>(handlers);
      edit.accept(copy);
      handlers = Collections.unmodifiableMap(copy);
    } finally {
      write.unlock();
    }
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.error("protocol listener failed", e);
      }
    }
  }
}
