package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.p2p.record.PeerRecord;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checking the signed peer records that arrive in peer exchange. */
@Timeout(10)
class PxDialerTest {
  private static PrivateKey key(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return Ed25519PrivateKey.fromSeed(s);
  }

  @Test
  void keepsTheDialableAddressesOfAValidRecord() throws Exception {
    PrivateKey k = key(1);
    PeerId id = PeerId.fromPublicKey(k.publicKey());
    PeerId other = PeerId.fromPublicKey(key(2).publicKey());
    Multiaddr tcp = Multiaddr.parse("/ip4/10.0.0.1/tcp/4001");
    Multiaddr withOwnId = Multiaddr.parse("/ip4/10.0.0.2/tcp/4001").withPeerId(id);
    Multiaddr withOtherId = Multiaddr.parse("/ip4/10.0.0.3/tcp/4001").withPeerId(other);
    Multiaddr udp = Multiaddr.parse("/ip4/10.0.0.4/udp/4001");
    byte[] record =
        PeerRecord.of(
                id,
                7,
                List.of(
                    tcp.encode(),
                    new byte[] {(byte) 0xff, 0x7f}, // no such protocol
                    withOwnId.encode(),
                    withOtherId.encode(),
                    udp.encode()))
            .sign(k)
            .encode();
    assertThat(PxDialer.recordAddresses(id, record))
        .containsExactly(tcp, withOwnId.withoutPeerId());
  }

  @Test
  void rejectsTheRecordOfAnotherPeerAndBadEnvelopes() {
    PrivateKey k = key(1);
    PeerId id = PeerId.fromPublicKey(k.publicKey());
    PeerId offered = PeerId.fromPublicKey(key(2).publicKey());
    byte[] record =
        PeerRecord.of(id, 1, List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/1").encode()))
            .sign(k)
            .encode();
    assertThatThrownBy(() -> PxDialer.recordAddresses(offered, record))
        .isInstanceOf(ProtocolException.class);
    byte[] tampered = record.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> PxDialer.recordAddresses(id, tampered))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> PxDialer.recordAddresses(id, new byte[] {1, 2, 3}))
        .isInstanceOf(ProtocolException.class);
  }
}
