package dev.cairn.owner;

/**
 * What a send does when the owner's mailbox is full. Every owner declares one as its default (see
 * {@link Owner.Builder#fullPolicy}); a call site that needs another names it ({@link
 * Owner#send(Object, FullPolicy)}), and the owner's javadoc says which callers use which.
 */
public enum FullPolicy {
  /**
   * The sender waits for room: up to the owner's {@link Owner.Builder#backPressureTimeout} if it
   * has one (then the command is refused), else until there is room or the owner stops. For local
   * callers whose burst is short and who can afford to wait.
   */
  BACK_PRESSURE,

  /**
   * The send is refused at once and the caller answers {@code BUSY} to its own caller (a gossip
   * message not taken, an HTTP 503). Nothing is counted: the caller reports it.
   */
  BUSY,

  /**
   * The command is dropped at once and counted in {@link Owner#dropped()}: for hints the network
   * repeats and for ticks (the next one comes).
   */
  DROP_AND_COUNT
}
