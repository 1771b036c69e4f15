package dev.cairn.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.crypto.Ed25519PrivateKey;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GossipCodecTest {
  static final GossipCodec.Limits LIMITS = GossipCodec.Limits.of(GossipConfig.defaults());
  static final PrivateKey KEY = Ed25519PrivateKey.fromSeed(new byte[32]);
  static final PeerId SELF = PeerId.fromPublicKey(KEY.publicKey());

  @Test
  void roundTripsEveryField() throws Exception {
    Rpc.Message m =
        MessageSigning.author(SignaturePolicy.STRICT_SIGN, KEY, SELF, "t", new byte[] {1, 2}, 7);
    MessageId id = new MessageId(new byte[] {9, 9});
    Rpc rpc =
        new Rpc(
            List.of(new Rpc.SubOpts(true, "t"), new Rpc.SubOpts(false, "u")),
            List.of(m),
            new Rpc.Control(
                List.of(new Rpc.IHave("t", List.of(id))),
                List.of(new Rpc.IWant(List.of(id))),
                List.of(new Rpc.Graft("t")),
                List.of(
                    new Rpc.Prune(
                        "t", List.of(new Rpc.PeerExchange(SELF.bytes(), new byte[] {5})), 60L))));
    Rpc back = GossipCodec.decode(GossipCodec.encode(rpc), LIMITS);
    assertThat(back.subscriptions()).isEqualTo(rpc.subscriptions());
    assertThat(back.control().ihave()).isEqualTo(rpc.control().ihave());
    assertThat(back.control().iwant()).isEqualTo(rpc.control().iwant());
    assertThat(back.control().graft()).isEqualTo(rpc.control().graft());
    assertThat(back.control().prune().get(0).backoffSeconds()).isEqualTo(60L);
    assertThat(back.control().prune().get(0).peers().get(0).peerId()).isEqualTo(SELF.bytes());
    Rpc.Message bm = back.messages().get(0);
    assertThat(bm.data()).isEqualTo(m.data());
    assertThat(bm.key()).isNull(); // Ed25519 keys are inlined in the peer id
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, bm).result())
        .isEqualTo(ValidationResult.ACCEPT);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, bm).author()).contains(SELF);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, bm).seqno()).isEqualTo(7);
  }

  @Test
  void usesTheSpecsFieldNumbers() {
    Rpc rpc =
        new Rpc(
            List.of(new Rpc.SubOpts(true, "a")),
            List.of(new Rpc.Message(null, new byte[] {1}, null, "a", null, null)),
            new Rpc.Control(List.of(), List.of(), List.of(new Rpc.Graft("a")), List.of()));
    // 0a: subscriptions(1) {08 01 subscribe, 12 01 'a'}; 12: publish(2) {12 01 01 data, 22 01 'a'
    // topic}; 1a: control(3) {1a: graft(3) {0a 01 'a'}}
    assertThat(HexFormat.of().formatHex(GossipCodec.encode(rpc)))
        .isEqualTo("0a050801120161" + "1206120101220161" + "1a051a030a0161");
  }

  @Test
  void idontwantIsControlField5WithIdsInField1AndRoundTrips() throws Exception {
    Rpc rpc =
        Rpc.ofControl(
            new Rpc.Control(
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(new Rpc.IDontWant(List.of(new MessageId(new byte[] {7, 8}))))));
    // 1a: control(3) {2a: idontwant(5) {0a 02 07 08: messageIDs(1)}}
    assertThat(HexFormat.of().formatHex(GossipCodec.encode(rpc))).isEqualTo("1a062a040a020708");
    assertThat(GossipCodec.decode(GossipCodec.encode(rpc), LIMITS)).isEqualTo(rpc);
    // more ids than an RPC may carry: a typed, stream-scoped error
    List<MessageId> many = new java.util.ArrayList<>();
    for (int i = 0; i <= LIMITS.maxIds(); i++) {
      many.add(new MessageId(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    byte[] flood =
        GossipCodec.encode(
            Rpc.ofControl(
                new Rpc.Control(
                    List.of(), List.of(), List.of(), List.of(), List.of(new Rpc.IDontWant(many)))));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GossipCodec.decode(flood, LIMITS))
        .isInstanceOf(dev.cairn.p2p.ProtocolException.class);
  }

  @Test
  void signatureCoversTheFieldsAndTamperingIsRejected() throws Exception {
    Rpc.Message m =
        MessageSigning.author(SignaturePolicy.STRICT_SIGN, KEY, SELF, "t", new byte[] {1}, 1);
    Rpc.Message tampered =
        new Rpc.Message(m.from(), new byte[] {2}, m.seqno(), m.topic(), m.signature(), m.key());
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, tampered).result())
        .isInstanceOf(ValidationResult.Reject.class);
    Rpc.Message unsigned = new Rpc.Message(null, new byte[] {1}, null, "t", null, null);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, unsigned).result())
        .isInstanceOf(ValidationResult.Reject.class);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_NO_SIGN, m).result())
        .isInstanceOf(ValidationResult.Reject.class);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_NO_SIGN, unsigned).result())
        .isEqualTo(ValidationResult.ACCEPT);
    Rpc.Message shortSeqno =
        new Rpc.Message(m.from(), m.data(), new byte[] {1}, m.topic(), m.signature(), null);
    assertThat(MessageSigning.check(SignaturePolicy.STRICT_SIGN, shortSeqno).result())
        .isInstanceOf(ValidationResult.Reject.class);
  }

  @Test
  void rejectsHostileInput() {
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {0x0f, 1, 2}, LIMITS))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    // truncated: field 2 announces 5 bytes, carries 1
    assertThatThrownBy(() -> GossipCodec.decode(new byte[] {0x12, 5, 1}, LIMITS))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> GossipCodec.decode(new byte[LIMITS.maxRpcBytes() + 1], LIMITS))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    List<Rpc.SubOpts> flood = new ArrayList<>();
    for (int i = 0; i < LIMITS.maxSubscriptions() + 1; i++) {
      flood.add(new Rpc.SubOpts(true, "topic-" + i));
    }
    byte[] floodBytes = GossipCodec.encode(new Rpc(flood, List.of(), Rpc.Control.EMPTY));
    assertThatThrownBy(() -> GossipCodec.decode(floodBytes, LIMITS))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    List<MessageId> ids = new ArrayList<>();
    for (int i = 0; i < LIMITS.maxIds() + 1; i++) {
      ids.add(new MessageId(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    byte[] ihaveFlood =
        GossipCodec.encode(
            Rpc.ofControl(
                new Rpc.Control(
                    List.of(new Rpc.IHave("t", ids)), List.of(), List.of(), List.of())));
    assertThatThrownBy(() -> GossipCodec.decode(ihaveFlood, LIMITS))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    byte[] emptyId =
        GossipCodec.encode(
            Rpc.ofControl(
                new Rpc.Control(
                    List.of(), List.of(new Rpc.IWant(List.of(new MessageId(new byte[0])))),
                    List.of(), List.of())));
    assertThatThrownBy(() -> GossipCodec.decode(emptyId, LIMITS))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void randomBytesNeverCrashTheDecoder() {
    Random r = new Random(1);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[r.nextInt(64)];
      r.nextBytes(b);
      try {
        GossipCodec.decode(b, LIMITS);
      } catch (ProtocolException expected) {
        // fine: typed rejection
      }
    }
  }

  @Test
  void anRpcDecodedFromAReusedBufferOwnsItsBytes() throws Exception {
    // The router reads each stream's RPCs into one buffer: decode reads `length` bytes of it and
    // nothing it returns may change when the next RPC overwrites the buffer.
    byte[] data = new byte[1024];
    new Random(3).nextBytes(data);
    MessageId id = new MessageId(new byte[] {1, 2, 3});
    Rpc rpc =
        new Rpc(
            List.of(new Rpc.SubOpts(true, "t")),
            List.of(new Rpc.Message(null, data.clone(), null, "t", null, null)),
            new Rpc.Control(
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(new Rpc.IDontWant(List.of(id)))));
    byte[] encoded = GossipCodec.encode(rpc);
    byte[] buffer = java.util.Arrays.copyOf(encoded, encoded.length + 64);
    java.util.Arrays.fill(buffer, encoded.length, buffer.length, (byte) 0xff); // the next RPC's
    Rpc back = GossipCodec.decode(buffer, encoded.length, LIMITS);
    java.util.Arrays.fill(buffer, (byte) 0x55);
    assertThat(back.messages().get(0).data()).isEqualTo(data);
    assertThat(back.messages().get(0).topic()).isEqualTo("t");
    assertThat(back.control().idontwant().get(0).ids()).containsExactly(id);
    assertThat(back.subscriptions()).containsExactly(new Rpc.SubOpts(true, "t"));
  }
}
