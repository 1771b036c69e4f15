package dev.cairn.p2p.identify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.Libp2p;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.Await;
import dev.cairn.testing.TestNet;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Identify's per-peer state over real TCP on 127.0.0.1. */
@Timeout(60)
class IdentifyServiceTest {
  @RegisterExtension final TestNet net = TestNet.tcp();

  @Test
  void aPeerThatNeverAnswersIdentifyLeavesNoStateAfterItsLastDisconnect() throws Exception {
    Libp2p a = net.host();
    Libp2p silent = net.host();
    // The silent peer accepts identify streams and never answers them.
    silent.host().setHandler(IdentifyService.PROTOCOL_ID, s -> s.in().read());
    PeerId peer = silent.host().peerId();
    a.host().dial(silent.host().fullAddress().orElseThrow());
    Await.until(() -> a.host().isConnected(peer), "a registers the connection");
    // Connection listeners run after the connection is registered: wait for identify's entry.
    Await.until(() -> a.identify().trackedPeers() == 1, "identify tracks the silent peer");
    CompletableFuture<Throwable> waiter = new CompletableFuture<>();
    Thread waiting =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    a.identify().awaitIdentify(peer, 30_000);
                    waiter.complete(null);
                  } catch (IOException e) {
                    waiter.complete(e);
                  }
                });
    // Disconnect only once the waiter waits on the peer's entry: a waiter that starts after the
    // disconnect waits (with its own entry) for a connection that may still come, by design.
    Await.until(
        () -> waiting.getState() == Thread.State.TIMED_WAITING, "the waiter waits for identify");

    a.host().disconnect(peer);

    Await.until(() -> a.identify().trackedPeers() == 0, "identify forgets the silent peer");
    assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the waiter learns the peer left").isNotNull();
  }

  @Test
  void aPushStreamThatNeverSendsIsResetAfterItsDeadline() throws Exception {
    Libp2p a = net.host();
    Libp2p b = net.host();
    a.identify().readTimeout(java.time.Duration.ofMillis(300));
    b.host().dial(a.host().fullAddress().orElseThrow());
    try (dev.cairn.p2p.host.Stream silent =
        b.host().newStream(a.host().peerId(), IdentifyService.PUSH_PROTOCOL_ID)) {
      assertThatThrownBy(() -> silent.in().read())
          .as("a resets the push stream that brings nothing")
          .isInstanceOf(IOException.class);
    }
    assertThat(a.host().isConnected(b.host().peerId())).isTrue();
  }

  @Test
  void anAnsweredPeerIsForgottenOnItsLastDisconnectToo() throws Exception {
    Libp2p a = net.host();
    Libp2p b = net.host();
    a.host().dial(b.host().fullAddress().orElseThrow());
    a.identify().awaitIdentify(b.host().peerId(), 5000);
    a.host().disconnect(b.host().peerId());
    Await.until(() -> a.identify().trackedPeers() == 0, "identify forgets b");
    assertThatThrownBy(() -> a.identify().awaitIdentify(b.host().peerId(), 100))
        .isInstanceOf(IOException.class);
    assertThat(a.identify().trackedPeers()).isZero();
  }
}
