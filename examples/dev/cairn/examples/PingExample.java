package dev.cairn.examples;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.host.Connection;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.time.Duration;
import java.util.List;

/**
 * The p2p layer on its own, without the chain: start a libp2p host, dial a peer (a Cairn node, or
 * any libp2p peer that speaks TCP + Noise + yamux), ping it and print what identify learned.
 *
 * <pre>
 * bin/cairn example ping /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...
 * </pre>
 */
public final class PingExample {
  private PingExample() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: PingExample <multiaddr ending in /p2p/<peer id>>");
      System.exit(2);
    }
    HostConfig config =
        HostConfig.defaults(
            Ed25519PrivateKey.generate(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    try (Libp2p p2p = Libp2p.create(config)) {
      Connection c = p2p.host().dial(Multiaddr.parse(args[0]));
      System.out.println("connected to " + c.remotePeer() + " over " + c.muxer());
      for (Duration rtt : p2p.ping().ping(c.remotePeer(), 3)) {
        System.out.printf("ping %.3f ms%n", rtt.toNanos() / 1e6);
      }
      var who = p2p.identify().awaitIdentify(c.remotePeer(), 5000);
      System.out.println("agent " + who.agentVersion() + ", protocols " + who.protocols());
    }
  }
}
