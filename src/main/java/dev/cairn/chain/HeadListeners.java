package dev.cairn.chain;

import dev.cairn.chain.model.Hash;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The head-change listeners of {@link ChainState}, and the group a batch import holds back from
 * them: while a group is open ({@link ChainState#importBatch}), the blocks that extend the head are
 * collected here instead of being announced one by one, and the group's close announces them in one
 * {@link HeadChange} from the view before the group to the view after it, once the store has made
 * them durable. Part of {@link ChainState}, on its owner thread.
 */
final class HeadListeners {
  private static final Logger LOG = LogManager.getLogger(ChainState.class);

  private final List<Consumer<HeadChange>> listeners = new ArrayList<>();
  private ChainView groupBefore;
  private List<Hash> groupConnected;

  void add(Consumer<HeadChange> listener) {
    listeners.add(listener);
  }

  void remove(Consumer<HeadChange> listener) {
    listeners.remove(listener);
  }

  /** Calls every listener with {@code change}; a listener that throws is logged and skipped. */
  void tell(HeadChange change) {
    for (Consumer<HeadChange> l : List.copyOf(listeners)) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        LOG.error("head-change listener failed", e);
      }
    }
  }

  /** Whether a group is open: blocks connected now are announced when it closes. */
  boolean grouping() {
    return groupConnected != null;
  }

  /** Opens a group whose head change will start from {@code before}. */
  void openGroup(ChainView before) {
    groupBefore = before;
    groupConnected = new ArrayList<>();
  }

  /** Adds a block the open group connected (the next one up the canonical chain). */
  void groupConnected(Hash block) {
    groupConnected.add(block);
  }

  /** The view before the open group. */
  ChainView groupBefore() {
    return groupBefore;
  }

  /** Closes the group; returns the blocks it connected, oldest first. */
  List<Hash> closeGroup() {
    List<Hash> connected = groupConnected;
    groupConnected = null;
    groupBefore = null;
    return connected;
  }
}
