package dev.cairn.node.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.cairn.chain.model.Hash;
import dev.cairn.node.sync.SyncMessage.BlocksByHash;
import dev.cairn.node.sync.SyncMessage.BlocksByRange;
import dev.cairn.node.sync.SyncMessage.HeadersByLocator;
import dev.cairn.node.sync.SyncMessage.Status;
import dev.cairn.node.sync.pb.SyncProtos;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SyncCodecTest {
  static Hash h(int i) {
    return Hash.sha256(new byte[] {(byte) i});
  }

  @Test
  void roundTripsEveryRequest() throws Exception {
    Status s = new Status("dev", h(0), h(1), 42, BigInteger.TWO.pow(200));
    assertThat(SyncCodec.decodeStatus(SyncCodec.encode(s))).isEqualTo(s);
    HeadersByLocator l = new HeadersByLocator(List.of(h(1), h(2)), 2000);
    assertThat(SyncCodec.decodeHeadersByLocator(SyncCodec.encode(l))).isEqualTo(l);
    BlocksByHash b = new BlocksByHash(List.of(h(3)));
    assertThat(SyncCodec.decodeBlocksByHash(SyncCodec.encode(b))).isEqualTo(b);
    BlocksByRange r = new BlocksByRange(7, 128);
    assertThat(SyncCodec.decodeBlocksByRange(SyncCodec.encode(r))).isEqualTo(r);
  }

  @Test
  void rejectsOutOfBoundsAndMalformedRequests() {
    List<Hash> many = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      many.add(h(i));
    }
    assertThatThrownBy(() -> SyncCodec.decodeBlocksByHash(SyncCodec.encode(new BlocksByHash(many))))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(
            () ->
                SyncCodec.decodeHeadersByLocator(
                    SyncCodec.encode(new HeadersByLocator(many.subList(0, 65), 10))))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(
            () ->
                SyncCodec.decodeHeadersByLocator(
                    SyncCodec.encode(new HeadersByLocator(List.of(h(1)), 2001))))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(
            () -> SyncCodec.decodeBlocksByRange(SyncCodec.encode(new BlocksByRange(0, 0))))
        .isInstanceOf(InvalidMessageException.class);
    byte[] shortHash =
        SyncProtos.BlocksByHash.newBuilder()
            .addHashes(ByteString.copyFrom(new byte[31]))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> SyncCodec.decodeBlocksByHash(shortHash))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> SyncCodec.decodeStatus(new byte[] {(byte) 0xff, 1, 2}))
        .isInstanceOf(InvalidMessageException.class);
    byte[] hugeWork =
        SyncProtos.Status.newBuilder()
            .setNetwork("dev")
            .setGenesis(ByteString.copyFrom(new byte[32]))
            .setHead(ByteString.copyFrom(new byte[32]))
            .setCumulativeWork(ByteString.copyFrom(new byte[41]))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> SyncCodec.decodeStatus(hugeWork))
        .isInstanceOf(InvalidMessageException.class);
  }
}
