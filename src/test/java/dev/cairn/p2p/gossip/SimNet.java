package dev.cairn.p2p.gossip;

import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.gossip.GossipCommand.StateCommand;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * A network of {@link GossipState}s wired directly to each other on the test thread: no threads, no
 * sockets, a fake clock, and a hook that can drop RPCs in flight. Codec included: every RPC is
 * encoded and decoded on the way, as the real router does.
 */
final class SimNet {

  /** Decides whether an RPC in flight from {@code from} to {@code to} is delivered. */
  interface Filter {
    Rpc apply(Node from, Node to, Rpc rpc);
  }

  final class Node {
    final int index;
    final PrivateKey key;
    final PeerId id;
    final GossipState state;
    final List<GossipMessage> delivered = new ArrayList<>();

    /** Senders of messages this node's validator REJECTed, as told to the router's host. */
    final List<PeerId> rejectedFrom = new ArrayList<>();

    /** Peer exchange connects asked for by this node's state. */
    final List<Dial> dials = new ArrayList<>();

    final ArrayDeque<GossipCommand> posted = new ArrayDeque<>();
    long seqno = 1;

    /** Tasks this node's state gave its validation worker (run at once, on the test thread). */
    int workerTasks;

    Node(int index, GossipConfig config, long seed) {
      this.index = index;
      byte[] s = new byte[32];
      new Random(seed).nextBytes(s);
      this.key = Ed25519PrivateKey.fromSeed(s);
      this.id = PeerId.fromPublicKey(key.publicKey());
      this.state =
          new GossipState(
              config,
              id,
              clock,
              new Random(seed),
              new GossipState.Output() {
                @Override
                public void send(PeerId peer, Rpc rpc) {
                  inflight.add(new InFlight(Node.this, byId(peer), rpc));
                }

                @Override
                public void deliver(GossipMessage m) {
                  delivered.add(m);
                }

                @Override
                public void connect(PeerId peer, byte[] signedPeerRecord) {
                  dials.add(new Dial(peer, signedPeerRecord));
                }

                @Override
                public void rejected(PeerId peer, String topic, String reason) {
                  rejectedFrom.add(peer);
                }
              },
              task -> {
                workerTasks++;
                task.run();
              },
              posted::add,
              new GossipCounters());
    }

    void handle(StateCommand c) {
      state.handle(c);
    }

    void subscribe(String topic) {
      handle(new GossipCommand.Subscribe(topic, new CompletableFuture<>()));
    }

    PublishResult publish(String topic, byte[] data) {
      return publish(topic, data, false);
    }

    /** As the router's {@code publishAgain} when {@code again}. */
    PublishResult publish(String topic, byte[] data, boolean again) {
      Rpc.Message m =
          MessageSigning.author(config.signaturePolicy(), key, id, topic, data, seqno++);
      MessageId mid = config.messageIdFor(topic).apply(topic, m.from(), m.seqno(), data);
      CompletableFuture<PublishResult> f = new CompletableFuture<>();
      handle(new GossipCommand.Publish(m, mid, again, f));
      return f.join();
    }

    void setValidator(String topic, Validator v) {
      handle(new GossipCommand.SetValidator(topic, v, new CompletableFuture<>()));
    }

    /**
     * Installs a validator that answers nothing by itself: each message's verdict is a future the
     * test completes, in the returned list in arrival order.
     */
    List<CompletableFuture<ValidationResult>> holdValidations(String topic) {
      List<CompletableFuture<ValidationResult>> answers = new ArrayList<>();
      setValidator(
          topic,
          m -> {
            CompletableFuture<ValidationResult> f = new CompletableFuture<>();
            answers.add(f);
            return f;
          });
      return answers;
    }

    /**
     * Installs a synchronous validator that records each message it judges; {@code verdict} is
     * given how many it has judged so far, this one included.
     */
    List<GossipMessage> recordValidations(String topic, IntFunction<ValidationResult> verdict) {
      List<GossipMessage> judged = new ArrayList<>();
      setValidator(
          topic,
          Validator.sync(
              m -> {
                judged.add(m);
                return verdict.apply(judged.size());
              }));
      return judged;
    }

    /** The delivered messages' data as UTF-8 text, in delivery order. */
    List<String> deliveredTexts() {
      return delivered.stream().map(m -> new String(m.data(), StandardCharsets.UTF_8)).toList();
    }

    double score(Node other) {
      return state.scoreOf(other.id);
    }
  }

  record InFlight(Node from, Node to, Rpc rpc) {}

  record Dial(PeerId peer, byte[] signedPeerRecord) {}

  final FakeClock clock = new FakeClock();
  final GossipConfig config;
  final List<Node> nodes = new ArrayList<>();
  final ArrayDeque<InFlight> inflight = new ArrayDeque<>();
  Filter filter = (from, to, rpc) -> rpc;
  long delivered;

  SimNet(GossipConfig config) {
    this.config = config;
  }

  Node add() {
    Node n = new Node(nodes.size(), config, 1000 + nodes.size());
    nodes.add(n);
    return n;
  }

  /**
   * Two nodes, the first dialled the second, both subscribed to {@code topic} (first, then second)
   * and the network run until quiet: the setup most state tests start from.
   */
  static SimNet subscribedPair(GossipConfig config, String topic) {
    SimNet net = new SimNet(config);
    Node a = net.add();
    Node b = net.add();
    net.connect(a, b);
    a.subscribe(topic);
    b.subscribe(topic);
    net.run();
    return net;
  }

  Node node(int index) {
    return nodes.get(index);
  }

  Node byId(PeerId id) {
    return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
  }

  /** {@code a} dialled {@code b}. */
  void connect(Node a, Node b) {
    a.handle(new GossipCommand.PeerUp(b.id, GossipState.MESHSUB_11, true, "10.0.0." + b.index));
    b.handle(new GossipCommand.PeerUp(a.id, GossipState.MESHSUB_11, false, "10.0.0." + a.index));
    run();
  }

  /** Delivers everything in flight (and all it causes) until the network is quiet. */
  void run() {
    for (int guard = 0; guard < 10_000_000; guard++) {
      boolean progress = false;
      for (Node n : nodes) {
        GossipCommand c;
        while ((c = n.posted.poll()) != null) {
          n.handle((StateCommand) c);
          progress = true;
        }
      }
      InFlight f = inflight.poll();
      if (f != null) {
        progress = true;
        Rpc rpc = filter.apply(f.from, f.to, f.rpc);
        if (rpc != null && !rpc.isEmpty()) {
          deliver(f.from, f.to, rpc);
        }
      }
      if (!progress) {
        return;
      }
    }
    throw new IllegalStateException("network never went quiet");
  }

  private void deliver(Node from, Node to, Rpc rpc) {
    delivered++;
    Rpc decoded;
    try {
      decoded = GossipCodec.decode(GossipCodec.encode(rpc), GossipCodec.Limits.of(config));
    } catch (dev.cairn.p2p.ProtocolException e) {
      throw new IllegalStateException(e);
    }
    List<MessageId> ids = new ArrayList<>();
    for (Rpc.Message m : decoded.messages()) {
      byte[] data = m.data() == null ? new byte[0] : m.data();
      ids.add(config.messageIdFor(m.topic()).apply(m.topic(), m.from(), m.seqno(), data));
    }
    to.handle(new GossipCommand.RpcIn(from.id, decoded, ids, 0));
  }

  /** Moves time by one heartbeat and runs a heartbeat on every node. */
  void heartbeat() {
    clock.advanceMillis(config.heartbeat().toMillis());
    for (Node n : nodes) {
      n.handle(new GossipCommand.Tick());
    }
    run();
  }

  void heartbeats(int n) {
    for (int i = 0; i < n; i++) {
      heartbeat();
    }
  }
}
