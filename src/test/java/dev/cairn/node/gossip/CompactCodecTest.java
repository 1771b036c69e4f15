package dev.cairn.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.gossip.pb.CompactProtos;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The compact block's encoding, its bounds, and the short ids' SipHash. */
@Timeout(30)
class CompactCodecTest {
  static Block block(int txs) {
    List<Transaction> list = new ArrayList<>();
    for (int i = 0; i < txs; i++) {
      list.add(
          ChainFixture.Trivial.tx(
              ChainFixture.Trivial.key(0), ChainFixture.Trivial.key(1).address(), 1 + i, 1, i));
    }
    return ChainFixture.Trivial.mineOnGenesis(ChainFixture.Trivial.key(5).address(), list);
  }

  private static byte[] raw(byte[] header, int width, byte[] ids) {
    return CompactProtos.CompactBlock.newBuilder()
        .setHeader(ByteString.copyFrom(header))
        .setShortIdBytes(width)
        .setShortIds(ByteString.copyFrom(ids))
        .build()
        .toByteArray();
  }

  @Test
  void sipHashMatchesTheReferenceVectors() {
    byte[] key = new byte[16];
    for (int i = 0; i < 16; i++) {
      key[i] = (byte) i;
    }
    ShortIds ids = ShortIds.ofKey(key, 8);
    // SipHash paper, appendix A (15-byte message), and the reference vectors' first (empty) entry
    byte[] fifteen = new byte[15];
    for (int i = 0; i < 15; i++) {
      fifteen[i] = (byte) i;
    }
    assertThat(ids.sipHash(fifteen)).isEqualTo(0xa129ca6149be45e5L);
    assertThat(ids.sipHash(new byte[0])).isEqualTo(0x726fdb47dd0e0e31L);
  }

  @Test
  void shortIdsAreCutToTheirWidthAndSaltedByTheBlock() {
    Hash tx = Hash.sha256(new byte[] {1});
    ShortIds six = ShortIds.of(Hash.sha256(new byte[] {2}), 6);
    assertThat(six.of(tx) >>> 48).isZero();
    assertThat(six.of(tx))
        .isEqualTo(ShortIds.of(Hash.sha256(new byte[] {2}), 8).of(tx) & 0xffffffffffffL);
    assertThat(six.of(tx)).isNotEqualTo(ShortIds.of(Hash.sha256(new byte[] {3}), 6).of(tx));
  }

  @Test
  void roundTripsAndIsTellableFromAFullBlock() throws Exception {
    Block b = block(5);
    for (int width = 1; width <= 8; width++) {
      CompactBlock c = CompactBlock.of(b, width);
      byte[] bytes = CompactCodec.encode(c);
      assertThat(CompactCodec.isCompact(bytes)).isTrue();
      CompactBlock back = CompactCodec.decode(bytes);
      assertThat(back.header()).isEqualTo(b.header());
      assertThat(back.shortIds()).containsExactly(c.shortIds());
      assertThat(bytes).hasSize(2 + 116 + 2 + 2 + 5 * width);
    }
    assertThat(CompactCodec.isCompact(ChainCodec.encode(b))).isFalse();
    assertThat(CompactCodec.decode(CompactCodec.encode(CompactBlock.of(block(0)))).count())
        .isZero();
  }

  @Test
  void theLargestValidCompactBlockFitsTheBound() throws Exception {
    byte[] header = ChainCodec.encode(block(0).header());
    byte[] most = raw(header, 8, new byte[Limits.MAX_TRANSACTIONS * 8]);
    assertThat(most.length).isLessThanOrEqualTo(CompactCodec.MAX_BYTES);
    assertThat(CompactCodec.decode(most).count()).isEqualTo(Limits.MAX_TRANSACTIONS);
  }

  @Test
  void refusesOversizedMalformedAndNonCanonicalInputBeforeAllocating() {
    byte[] header = ChainCodec.encode(block(0).header());
    // over the byte bound: refused on its length, before parsing
    assertThatThrownBy(() -> CompactCodec.decode(new byte[CompactCodec.MAX_BYTES + 1]))
        .isInstanceOf(DecodeException.class)
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(DecodeException.Reason.TOO_LARGE);
    // more short ids than a block may hold transactions (1-byte ids fit the byte bound)
    assertReason(
        raw(header, 1, new byte[Limits.MAX_TRANSACTIONS + 1]),
        DecodeException.Reason.TOO_MANY_ITEMS);
    assertReason(raw(header, 0, new byte[0]), DecodeException.Reason.UNSUPPORTED_VERSION);
    assertReason(raw(header, 9, new byte[9]), DecodeException.Reason.UNSUPPORTED_VERSION);
    assertReason(raw(header, 6, new byte[7]), DecodeException.Reason.TRAILING_BYTES);
    assertReason(raw(new byte[115], 6, new byte[6]), DecodeException.Reason.TRUNCATED);
    assertReason(new byte[] {0x0a, 0x7f}, DecodeException.Reason.TRUNCATED);
    // an unknown field: a second encoding of the same block, refused
    byte[] good = CompactCodec.encode(CompactBlock.of(block(2)));
    byte[] extra = new byte[good.length + 2];
    System.arraycopy(good, 0, extra, 0, good.length);
    extra[good.length] = (byte) (9 << 3); // field 9, varint
    extra[good.length + 1] = 1;
    assertReason(extra, DecodeException.Reason.TRAILING_BYTES);
  }

  private static void assertReason(byte[] bytes, DecodeException.Reason reason) {
    assertThatThrownBy(() -> CompactCodec.decode(bytes))
        .isInstanceOf(DecodeException.class)
        .extracting(e -> ((DecodeException) e).reason())
        .isEqualTo(reason);
  }
}
