package dev.cairn.examples;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipConfig;
import dev.cairn.p2p.gossip.GossipRouter;
import dev.cairn.p2p.host.HostConfig;
import dev.cairn.p2p.kad.KadConfig;
import dev.cairn.p2p.kad.KadDht;
import dev.cairn.p2p.multiformats.Multiaddr;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A chat over gossipsub and Kademlia using only Cairn's p2p layer: no chain. Each line typed on
 * standard input is published on the topic (signed, libp2p's default policy, so any libp2p chat
 * peer with the same topic can join); each message received is printed as {@code <peer id>:
 * <text>}. Peers are found through the DHT starting from the bootnodes.
 *
 * <pre>
 * bin/cairn example chat --listen /ip4/127.0.0.1/tcp/0
 * bin/cairn example chat --listen /ip4/127.0.0.2/tcp/0 \
 *     --bootnode /ip4/127.0.0.1/tcp/PORT/p2p/12D3KooW...
 * </pre>
 */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = "Chat over libp2p gossipsub; peers found through Kademlia.")
public final class Chat implements Callable<Integer> {

  @Option(
      names = "--listen",
      paramLabel = "<multiaddr>",
      defaultValue = "/ip4/127.0.0.1/tcp/0",
      description = "Listen address. Default: ${DEFAULT-VALUE}")
  String listen;

  @Option(
      names = "--bootnode",
      paramLabel = "<multiaddr>",
      description = "A peer to join through, ending in /p2p/<peer id> (repeatable).")
  List<String> bootnodes = new ArrayList<>();

  @Option(
      names = "--topic",
      defaultValue = "cairn-chat",
      description = "Gossipsub topic. Default: ${DEFAULT-VALUE}")
  String topic;

  @Option(
      names = "--kad-protocol",
      paramLabel = "<id>",
      defaultValue = "/ipfs/kad/1.0.0",
      description = "Kademlia protocol id. Default: ${DEFAULT-VALUE}")
  String kadProtocol;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Chat()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Multiaddr> boots = bootnodes.stream().map(Multiaddr::parse).toList();
    try (Libp2p p2p =
        Libp2p.create(
            HostConfig.defaults(Ed25519PrivateKey.generate(), List.of(Multiaddr.parse(listen))))) {
      GossipRouter gossip = GossipRouter.start(p2p.host(), GossipConfig.defaults());
      KadDht dht = KadDht.start(p2p, KadConfig.defaults().withProtocolId(kadProtocol), boots);
      try {
        for (Multiaddr a : p2p.host().fullAddresses()) {
          System.out.println("Listening on " + a);
        }
        gossip.subscribe(
            topic,
            m ->
                System.out.println(
                    m.author().orElse(m.receivedFrom())
                        + ": "
                        + new String(m.data(), StandardCharsets.UTF_8)));
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          try {
            gossip.publish(topic, line.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("not sent: " + e.getCause().getMessage());
          }
        }
      } finally {
        dht.close();
        gossip.close();
      }
    }
    return 0;
  }
}
