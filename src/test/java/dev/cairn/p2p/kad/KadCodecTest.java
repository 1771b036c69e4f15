package dev.cairn.p2p.kad;

import static dev.cairn.p2p.kad.KadTestSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.kad.KadMessage.Type;
import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.p2p.multiformats.Varint;
import dev.cairn.testing.Fragments;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KadCodecTest {
  private static final Multiaddr A = Multiaddr.parse("/ip4/10.0.0.1/tcp/4001");
  private static final Multiaddr B = Multiaddr.parse("/ip6/::1/tcp/4002");

  private static byte[] framed(KadMessage m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    KadCodec.write(out, m);
    return out.toByteArray();
  }

  @Test
  void roundTripsAFindNodeAnswerOnEveryFragmentation() throws Exception {
    KadMessage m =
        KadMessage.reply(
            Type.FIND_NODE,
            peer(1).bytes(),
            List.of(new KadPeer(peer(2), List.of(A, B)), new KadPeer(peer(3), List.of())),
            List.of());
    byte[] bytes = framed(m);
    for (List<byte[]> split : Fragments.splits(bytes)) {
      KadMessage back = KadCodec.read(Fragments.stream(split), 20);
      assertThat(back.type()).isEqualTo(Type.FIND_NODE);
      assertThat(back.key()).isEqualTo(peer(1).bytes());
      assertThat(back.closerPeers()).isEqualTo(m.closerPeers());
      assertThat(back.dropped()).isZero();
    }
  }

  @Test
  void usesTheSpecFieldNumbers() throws Exception {
    byte[] body = KadCodec.encode(KadMessage.findNode(new byte[] {7}));
    // type = 4 (field 1, varint), key (field 2, bytes)
    assertThat(body).containsExactly(0x08, 0x04, 0x12, 0x01, 0x07);
  }

  @Test
  void absentTypeMeansPutValue() throws Exception {
    assertThat(KadCodec.decode(new byte[] {0x12, 0x01, 0x07}, 20).type()).isEqualTo(Type.PUT_VALUE);
  }

  @Test
  void cleanEndOfStreamBeforeAMessageIsNull() throws Exception {
    assertThat(KadCodec.read(new ByteArrayInputStream(new byte[0]), 20)).isNull();
  }

  @Test
  void rejectsALengthAboveTheLimitBeforeReadingIt() {
    byte[] prefix = Varint.encode(KadCodec.MAX_MESSAGE_BYTES + 1L);
    assertThatThrownBy(() -> KadCodec.read(new ByteArrayInputStream(prefix), 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Test
  void rejectsATruncatedBody() throws Exception {
    byte[] bytes = framed(KadMessage.findNode(peer(1).bytes()));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> KadCodec.read(new ByteArrayInputStream(cut), 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  @Test
  void rejectsABadVarintPrefix() {
    byte[] bad = new byte[12];
    java.util.Arrays.fill(bad, (byte) 0xff); // longer than any varint may be
    assertThatThrownBy(() -> KadCodec.read(new ByteArrayInputStream(bad), 20))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void rejectsGarbageProtobuf() {
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {0x42, 0x7f, 0x01}, 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }

  @Test
  void rejectsAnUnknownMessageType() {
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {0x08, 0x09}, 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE));
  }

  @Test
  void rejectsAFieldWithTheWrongWireType() {
    // key (field 2) sent as a varint
    assertThatThrownBy(() -> KadCodec.decode(new byte[] {0x08, 0x04, 0x10, 0x01}, 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }

  @Test
  void rejectsAnOversizedKey() {
    byte[] key = new byte[KadCodec.MAX_KEY_BYTES + 1];
    byte[] body = KadCodec.encode(KadMessage.findNode(key));
    assertThatThrownBy(() -> KadCodec.decode(body, 20))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Test
  void trimsAHugePeerListToTheLimitWithoutParsingTheRest() throws Exception {
    List<KadPeer> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      many.add(new KadPeer(peer(i % 50), List.of(A)));
    }
    byte[] body = KadCodec.encode(KadMessage.reply(Type.FIND_NODE, new byte[0], many, List.of()));
    assertThat(body.length).isLessThan(KadCodec.MAX_MESSAGE_BYTES);
    KadMessage m = KadCodec.decode(body, 20);
    assertThat(m.closerPeers()).hasSize(20);
    assertThat(m.overflow()).isEqualTo(4980);
  }

  @Test
  void dropsUnparseableAddressesAndPeerIdsButKeepsTheRest() throws Exception {
    ByteArrayOutputStream peerBytes = new ByteArrayOutputStream();
    CodedOutputStream p = CodedOutputStream.newInstance(peerBytes);
    p.writeByteArray(1, peer(5).bytes());
    p.writeByteArray(2, new byte[] {(byte) 0xee, 0x01, 0x02}); // unknown multiaddr code
    p.writeByteArray(2, A.encode());
    p.writeByteArray(2, new byte[] {0x04, 0x01}); // ip4 cut short
    p.flush();
    ByteArrayOutputStream badPeer = new ByteArrayOutputStream();
    CodedOutputStream q = CodedOutputStream.newInstance(badPeer);
    q.writeByteArray(1, new byte[] {0x00, 0x05, 1, 2}); // identity multihash cut short
    q.flush();
    ByteArrayOutputStream msg = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(msg);
    o.writeEnum(1, 4);
    o.writeByteArray(8, badPeer.toByteArray());
    o.writeByteArray(8, peerBytes.toByteArray());
    o.writeInt32(10, 3); // clusterLevelRaw: ignored
    o.flush();
    KadMessage m = KadCodec.decode(msg.toByteArray(), 20);
    assertThat(m.closerPeers()).containsExactly(new KadPeer(peer(5), List.of(A)));
    assertThat(m.dropped()).isEqualTo(3);
  }

  @Test
  void stripsP2pSuffixesFromPeerAddresses() throws Exception {
    Multiaddr full = A.withPeerId(peer(2));
    byte[] body =
        KadCodec.encode(
            KadMessage.reply(
                Type.FIND_NODE,
                new byte[0],
                List.of(new KadPeer(peer(2), List.of(full))),
                List.of()));
    assertThat(KadCodec.decode(body, 20).closerPeers().getFirst().addresses()).containsExactly(A);
  }
}
