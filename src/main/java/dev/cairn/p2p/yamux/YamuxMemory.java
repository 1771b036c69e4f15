package dev.cairn.p2p.yamux;

/**
 * The memory a session's streams may hold on the remote's behalf, granted by whoever runs the
 * session (the host's resource manager). A stream's receive window is memory the remote may fill at
 * any moment, so the whole window is reserved, not the bytes buffered now: the initial 256 KiB when
 * the stream opens, and each growth of the window before it is granted.
 *
 * <p>The two differ in priority: a stream cannot run without its initial window, but it can without
 * growth, which only makes it faster. So an implementation grants growth only while it leaves room
 * for other streams' initial windows (the host's resource manager: three quarters of each shared
 * budget), and a stream's initial window may use all of it; otherwise one peer's grown windows
 * could leave no room for the next stream to that peer.
 *
 * <p>Called from the session's reader thread (inbound streams, window growth) and from the threads
 * that open streams; implementations are thread-safe and never block.
 */
public interface YamuxMemory {

  /** No limits: every stream and every growth is granted. */
  YamuxMemory UNLIMITED = (inbound, initialWindow) -> StreamMemory.UNLIMITED;

  /**
   * Admits a new stream (it counts against the stream limits) and reserves its initial receive
   * window.
   *
   * @return the stream's memory, or null if a stream or byte limit refuses it (an inbound stream is
   *     then answered with RST, an outbound open fails)
   */
  StreamMemory openStream(boolean inbound, int initialWindow);

  /** What one stream holds. Released (once) when the stream leaves the session. */
  interface StreamMemory {

    StreamMemory UNLIMITED =
        new StreamMemory() {
          @Override
          public boolean grow(long bytes) {
            return true;
          }

          @Override
          public void close() {}
        };

    /**
     * Reserves {@code bytes} more for a window growth, at low priority: false, reserving nothing,
     * when the growth would leave too little room for new streams' initial windows.
     */
    boolean grow(long bytes);

    /** Releases everything this stream holds; idempotent. */
    void close();
  }
}
