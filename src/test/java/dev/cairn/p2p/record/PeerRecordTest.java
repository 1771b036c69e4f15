package dev.cairn.p2p.record;

import static dev.cairn.p2p.record.SignedEnvelopeTest.specKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.crypto.Secp256k1PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerRecordTest {
  private static final HexFormat HEX = HexFormat.of();
  // /ip4/192.0.2.42/tcp/443 and /dns4/example.com/tcp/443, from the multiaddr spec.
  private static final byte[] ADDR1 = HEX.parseHex("04c000022a0601bb");
  private static final byte[] ADDR2 = HEX.parseHex("360b6578616d706c652e636f6d0601bb");

  @Test
  void signsAndDecodesARecord() throws Exception {
    for (PrivateKey key : new PrivateKey[] {specKey(), Secp256k1PrivateKey.generate()}) {
      PeerId id = PeerId.fromPublicKey(key.publicKey());
      PeerRecord record = PeerRecord.of(id, 1_700_000_000_000_000_000L, List.of(ADDR1, ADDR2));
      byte[] wire = record.sign(key).encode();
      PeerRecord back = PeerRecord.decode(wire);
      assertThat(back).isEqualTo(record);
      assertThat(back.peerId()).isEqualTo(id);
      assertThat(back.seq()).isEqualTo(1_700_000_000_000_000_000L);
      assertThat(back.addresses()).containsExactly(ADDR1, ADDR2);
    }
  }

  @Test
  void encodesTheSpecFieldNumbers() {
    PeerId id = PeerId.fromPublicKey(specKey().publicKey());
    PeerRecord record = PeerRecord.of(id, 300, List.of(ADDR1));
    assertThat(HEX.formatHex(record.encode()))
        .isEqualTo(
            "0a26" + HEX.formatHex(id.bytes()) + "10ac02" + "1a0a" + "0a08" + HEX.formatHex(ADDR1));
  }

  @Test
  void envelopeUsesThePeerRecordDomainAndPayloadType() throws Exception {
    Ed25519PrivateKey key = specKey();
    PeerRecord record = PeerRecord.of(PeerId.fromPublicKey(key.publicKey()), 1, List.of());
    SignedEnvelope env = record.sign(key);
    assertThat(env.payloadType()).containsExactly(0x03, 0x01);
    SignedEnvelope verified = SignedEnvelope.decode(env.encode(), "libp2p-peer-record");
    assertThat(PeerRecord.fromEnvelope(verified)).isEqualTo(record);
    assertThatThrownBy(() -> SignedEnvelope.decode(env.encode(), "libp2p-routing-state"))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
  }

  @Test
  void keepsSeqAsAnUnsigned64BitNumber() throws Exception {
    Ed25519PrivateKey key = specKey();
    PeerRecord record = PeerRecord.of(PeerId.fromPublicKey(key.publicKey()), -1L, List.of(ADDR1));
    PeerRecord back = PeerRecord.decode(record.sign(key).encode());
    assertThat(Long.toUnsignedString(back.seq())).isEqualTo("18446744073709551615");
  }

  @Test
  void rejectsARecordSignedByAnotherPeer() {
    Ed25519PrivateKey alice = specKey();
    Ed25519PrivateKey mallory = Ed25519PrivateKey.generate();
    PeerRecord aliceRecord =
        PeerRecord.of(PeerId.fromPublicKey(alice.publicKey()), 5, List.of(ADDR1));
    byte[] forged =
        SignedEnvelope.sign(mallory, PeerRecord.DOMAIN, new byte[] {3, 1}, aliceRecord.encode())
            .encode();
    assertReason(forged, Reason.PEER_ID_MISMATCH);
    assertThatThrownBy(() -> aliceRecord.sign(mallory))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsAnotherPayloadType() {
    Ed25519PrivateKey key = specKey();
    PeerRecord record = PeerRecord.of(PeerId.fromPublicKey(key.publicKey()), 5, List.of());
    byte[] wire =
        SignedEnvelope.sign(key, PeerRecord.DOMAIN, new byte[] {(byte) 0x81, 0x06}, record.encode())
            .encode();
    assertReason(wire, Reason.UNKNOWN_TYPE);
  }

  @Test
  void rejectsHostilePayloads() {
    Ed25519PrivateKey key = specKey();
    byte[] id = PeerId.fromPublicKey(key.publicKey()).bytes();
    assertReason(signed(key, new Proto.Writer().uint64(2, 1).toByteArray()), Reason.MALFORMED);
    assertReason(
        signed(key, new Proto.Writer().bytes(1, new byte[] {0x12, 0x01, 0x00}).toByteArray()),
        Reason.MALFORMED);
    byte[] emptyAddress = new Proto.Writer().bytes(1, id).bytes(3, new byte[0]).toByteArray();
    assertReason(signed(key, emptyAddress), Reason.MALFORMED);
    byte[] longAddress =
        new Proto.Writer()
            .bytes(1, id)
            .bytes(
                3,
                new Proto.Writer()
                    .bytes(1, new byte[PeerRecord.MAX_ADDRESS_BYTES + 1])
                    .toByteArray())
            .toByteArray();
    assertReason(signed(key, longAddress), Reason.TOO_LARGE);
    Proto.Writer many = new Proto.Writer().bytes(1, id);
    for (int i = 0; i <= PeerRecord.MAX_ADDRESSES; i++) {
      many.bytes(3, new Proto.Writer().bytes(1, ADDR1).toByteArray());
    }
    assertReason(signed(key, many.toByteArray()), Reason.TOO_LARGE);
  }

  @Test
  void refusesToBuildOversizedRecords() {
    PeerId id = PeerId.fromPublicKey(specKey().publicKey());
    List<byte[]> tooMany = new ArrayList<>();
    for (int i = 0; i <= PeerRecord.MAX_ADDRESSES; i++) {
      tooMany.add(ADDR1);
    }
    assertThatThrownBy(() -> PeerRecord.of(id, 1, tooMany))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void copiesAddressesInAndOut() {
    PeerId id = PeerId.fromPublicKey(specKey().publicKey());
    byte[] addr = ADDR1.clone();
    PeerRecord record = PeerRecord.of(id, 1, List.of(addr));
    addr[0] = 0;
    record.addresses().get(0)[1] = 0;
    assertThat(record.addresses()).containsExactly(ADDR1);
  }

  private static byte[] signed(PrivateKey key, byte[] payload) {
    return SignedEnvelope.sign(key, PeerRecord.DOMAIN, new byte[] {3, 1}, payload).encode();
  }

  private static void assertReason(byte[] envelope, Reason reason) {
    assertThatThrownBy(() -> PeerRecord.decode(envelope))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
