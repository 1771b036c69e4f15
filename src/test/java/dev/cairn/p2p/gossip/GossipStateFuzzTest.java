package dev.cairn.p2p.gossip;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.gossip.GossipCommand.StateCommand;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.FakeClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The gossip state machine (the router's owner logic) fed by fuzzed peers: each step is an RPC
 * decoded from fuzzed bytes (or, if it does not decode, the misbehaviour the reader would report),
 * a heartbeat after some time, or a peer leaving and coming back. Our node runs the node's config
 * ({@link GossipConfig#cairn()}), subscribed to two topics with an accepting validator. Nothing may
 * escape {@code handle}; what it sends must encode and decode within the limits.
 */
class GossipStateFuzzTest {
  private static final GossipConfig CONFIG = GossipConfig.cairn();
  private static final GossipCodec.Limits LIMITS = GossipCodec.Limits.of(CONFIG);
  private static final PeerId SELF = peer(0);
  private static final List<PeerId> PEERS = List.of(peer(1), peer(2), peer(3));

  private static PeerId peer(int i) {
    byte[] seed = new byte[32];
    seed[0] = (byte) (i + 1);
    return PeerId.fromPublicKey(Ed25519PrivateKey.fromSeed(seed).publicKey());
  }

  @FuzzTest(maxDuration = "10s")
  void routerStateSurvivesFuzzedPeers(FuzzedDataProvider data) throws Exception {
    FakeClock clock = new FakeClock();
    ArrayDeque<GossipCommand> posted = new ArrayDeque<>();
    List<Rpc> sent = new ArrayList<>();
    GossipState state =
        new GossipState(
            CONFIG,
            SELF,
            clock,
            new Random(1),
            new GossipState.Output() {
              @Override
              public void send(PeerId peer, Rpc rpc) {
                sent.add(rpc);
              }

              @Override
              public void deliver(GossipMessage message) {}

              @Override
              public void connect(PeerId peer, byte[] signedPeerRecord) {}
            },
            Runnable::run,
            posted::add,
            new GossipCounters());
    for (String topic : List.of("blocks", "txs")) {
      state.handle(new GossipCommand.Subscribe(topic, new CompletableFuture<>()));
      state.handle(
          new GossipCommand.SetValidator(topic, Validator.acceptAll(), new CompletableFuture<>()));
    }
    for (PeerId p : PEERS) {
      state.handle(new GossipCommand.PeerUp(p, GossipState.MESHSUB_11, false, "10.0.0.1"));
    }
    int steps = 0;
    while (data.remainingBytes() > 0 && steps++ < 64) {
      PeerId from = PEERS.get(data.consumeInt(0, PEERS.size() - 1));
      switch (data.consumeInt(0, 7)) {
        case 0 -> {
          clock.advanceMillis(data.consumeInt(0, 120_000));
          handle(state, posted, new GossipCommand.Tick());
        }
        case 1 -> {
          if (data.consumeBoolean()) {
            handle(state, posted, new GossipCommand.PeerDown(from));
          } else {
            handle(state, posted, new GossipCommand.OutboundDown(from));
            handle(state, posted, new GossipCommand.PeerOpening(from));
          }
          handle(state, posted, new GossipCommand.PeerUp(from, GossipState.MESHSUB_11, true, "x"));
        }
        default -> {
          byte[] body = data.consumeBytes(data.consumeInt(0, 2048));
          Rpc rpc;
          try {
            rpc = GossipCodec.decode(body, LIMITS);
          } catch (ProtocolException e) {
            handle(state, posted, new GossipCommand.Misbehaved(from, e.reason()));
            continue;
          }
          List<MessageId> ids = new ArrayList<>(rpc.messages().size());
          for (Rpc.Message m : rpc.messages()) {
            byte[] d = m.data() == null ? new byte[0] : m.data();
            ids.add(CONFIG.messageIdFor(m.topic()).apply(m.topic(), m.from(), m.seqno(), d));
          }
          handle(state, posted, new GossipCommand.RpcIn(from, rpc, ids, 0));
        }
      }
    }
    for (Rpc rpc : sent) {
      GossipCodec.decode(GossipCodec.encode(rpc), LIMITS); // what we send, a peer can read
    }
  }

  private static void handle(GossipState state, ArrayDeque<GossipCommand> posted, StateCommand c) {
    state.handle(c);
    GossipCommand next;
    while ((next = posted.poll()) != null) {
      state.handle((StateCommand) next);
    }
  }
}
