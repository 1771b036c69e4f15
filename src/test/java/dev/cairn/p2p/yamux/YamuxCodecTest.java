package dev.cairn.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.p2p.ProtocolException;
import dev.cairn.p2p.ProtocolException.Reason;
import dev.cairn.p2p.ProtocolException.Scope;
import dev.cairn.testing.Fragments;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class YamuxCodecTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encodesTheSpecExamples() {
    assertThat(HEX.formatHex(YamuxCodec.encode(YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0))))
        .isEqualTo("000100010000000100000000");
    assertThat(HEX.formatHex(YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 7))))
        .isEqualTo("000200010000000000000007");
    assertThat(HEX.formatHex(YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_ACK, 7))))
        .isEqualTo("000200020000000000000007");
    assertThat(HEX.formatHex(YamuxCodec.encode(YamuxFrame.goAway(YamuxFrame.GO_AWAY_NORMAL))))
        .isEqualTo("000300000000000000000000");
  }

  @Test
  void roundTripsEveryTypeFlagAndExtremeValue() throws Exception {
    for (YamuxFrame frame : sampleFrames()) {
      byte[] bytes = YamuxCodec.encode(frame);
      assertThat(bytes).hasSize(YamuxFrame.HEADER_LENGTH);
      assertThat(YamuxCodec.decode(bytes, 0)).isEqualTo(frame);
      assertThat(YamuxCodec.read(new ByteArrayInputStream(bytes), new byte[12])).isEqualTo(frame);
    }
  }

  @Test
  void decodesASequenceOfFramesTheSameUnderEveryFragmentation() throws Exception {
    List<YamuxFrame> frames = sampleFrames().subList(0, 6);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<byte[]> payloads = new ArrayList<>();
    for (YamuxFrame frame : frames) {
      wire.write(YamuxCodec.encode(frame));
      if (frame.type() == YamuxFrame.TYPE_DATA) {
        byte[] payload = new byte[(int) frame.length()];
        for (int i = 0; i < payload.length; i++) {
          payload[i] = (byte) (i * 31 + frame.streamId());
        }
        payloads.add(payload);
        wire.write(payload);
      }
    }
    byte[] bytes = wire.toByteArray();
    for (List<byte[]> split : Fragments.splits(bytes)) {
      InputStream in = Fragments.stream(split);
      byte[] scratch = new byte[12];
      int payloadIndex = 0;
      for (YamuxFrame expected : frames) {
        YamuxFrame frame = YamuxCodec.read(in, scratch);
        assertThat(frame).isEqualTo(expected);
        if (frame.type() == YamuxFrame.TYPE_DATA) {
          assertThat(in.readNBytes((int) frame.length())).isEqualTo(payloads.get(payloadIndex++));
        }
      }
      assertThat(YamuxCodec.read(in, scratch)).isNull();
    }
  }

  @Test
  void readsExactlyOneHeaderAndNoMore() throws Exception {
    byte[] two = new byte[24];
    YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 1), two, 0);
    YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 2), two, 12);
    ByteArrayInputStream in = new ByteArrayInputStream(two);
    assertThat(YamuxCodec.read(in, new byte[12]).length()).isEqualTo(1);
    assertThat(in.available()).isEqualTo(12);
  }

  @Test
  void rejectsAnUnknownVersionAsAConnectionError() {
    byte[] bytes = YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 1));
    bytes[0] = 1;
    assertRejected(bytes, Reason.UNKNOWN_TYPE);
  }

  @Test
  void rejectsAnUnknownTypeAsAConnectionError() {
    byte[] bytes = YamuxCodec.encode(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 1));
    for (int type : new int[] {4, 0x7f, 0xff}) {
      bytes[1] = (byte) type;
      assertRejected(bytes, Reason.UNKNOWN_TYPE);
    }
  }

  @Test
  void rejectsATruncatedHeaderAtEveryCut() throws Exception {
    byte[] bytes = YamuxCodec.encode(YamuxFrame.data(5, 0, 100));
    for (int cut = 1; cut < bytes.length; cut++) {
      ByteArrayInputStream in = new ByteArrayInputStream(bytes, 0, cut);
      assertThatThrownBy(() -> YamuxCodec.read(in, new byte[12]))
          .isInstanceOfSatisfying(
              ProtocolException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
                assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
              });
    }
    assertThat(YamuxCodec.read(new ByteArrayInputStream(new byte[0]), new byte[12])).isNull();
  }

  @Test
  void rejectsDataLongerThanTheWindowBeforeReadingIt() throws Exception {
    YamuxFrame frame = YamuxFrame.data(3, 0, YamuxConfig.INITIAL_WINDOW + 1L);
    assertThatThrownBy(() -> YamuxCodec.checkData(frame, YamuxConfig.INITIAL_WINDOW))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FLOW_CONTROL);
              assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
            });
    YamuxCodec.checkData(
        YamuxFrame.data(3, 0, YamuxConfig.INITIAL_WINDOW), YamuxConfig.INITIAL_WINDOW);
    YamuxCodec.checkData(YamuxFrame.data(3, 0, YamuxFrame.MAX_LENGTH), YamuxFrame.MAX_LENGTH);
    // Only Data frames carry a payload; a window update's length is a delta.
    YamuxCodec.checkData(YamuxFrame.windowUpdate(3, 0, YamuxFrame.MAX_LENGTH), 0);
  }

  @Test
  void refusesToBuildOutOfRangeFields() {
    assertThatThrownBy(() -> new YamuxFrame(0, 0, 0x10000, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> YamuxFrame.data(1, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> YamuxFrame.data(1, 0, YamuxFrame.MAX_LENGTH + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertRejected(byte[] bytes, Reason reason) {
    assertThatThrownBy(() -> YamuxCodec.decode(bytes, 0))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.scope()).isEqualTo(Scope.CONNECTION);
            });
    assertThatThrownBy(() -> YamuxCodec.read(new ByteArrayInputStream(bytes), new byte[12]))
        .isInstanceOf(ProtocolException.class);
  }

  private static List<YamuxFrame> sampleFrames() {
    return List.of(
        YamuxFrame.windowUpdate(1, YamuxFrame.FLAG_SYN, 0),
        YamuxFrame.data(1, 0, 5),
        YamuxFrame.data(2, YamuxFrame.FLAG_ACK | YamuxFrame.FLAG_FIN, 0),
        YamuxFrame.ping(YamuxFrame.FLAG_SYN, 0xCAFEBABE),
        YamuxFrame.data(0xFFFF_FFFF, YamuxFrame.FLAG_RST, 3),
        YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR),
        YamuxFrame.windowUpdate(0x8000_0001, 0xFFFF, YamuxFrame.MAX_LENGTH),
        YamuxFrame.ping(YamuxFrame.FLAG_ACK, -1),
        YamuxFrame.goAway(YamuxFrame.GO_AWAY_INTERNAL_ERROR));
  }
}
