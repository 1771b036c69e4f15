package dev.cairn.p2p.transport;

import dev.cairn.p2p.multiformats.Multiaddr;

/** A transport-level connection before the upgrade: plain bytes between two addresses. */
public interface RawConnection extends Duplex {

  /** True when we dialled, false when we accepted. Decides the Noise and yamux roles. */
  boolean initiator();

  /** Our side's address, e.g. {@code /ip4/127.0.0.1/tcp/4001}. */
  Multiaddr localAddress();

  /** The remote side's address as we see it (identify's observed address). */
  Multiaddr remoteAddress();
}
