package dev.cairn.p2p.kad;

import dev.cairn.p2p.multiformats.PeerId;

/** Kademlia's per-peer work: each request runs on its own named virtual thread. */
final class KadThreads {
  private KadThreads() {}

  /** Starts {@code task} on a virtual thread named {@code kad-<what>-<short peer id>}. */
  static Thread start(String what, PeerId peer, Runnable task) {
    return Thread.ofVirtual().name("kad-" + what + "-" + peer.shortString()).start(task);
  }
}
