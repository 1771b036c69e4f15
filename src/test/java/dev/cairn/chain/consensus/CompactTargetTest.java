package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CompactTargetTest {
  static BigInteger hex(String h) {
    return new BigInteger(h, 16);
  }

  @Test
  void decodesBitcoinVectors() {
    assertThat(CompactTarget.toTarget(0x1d00ffff))
        .isEqualTo(hex("00000000ffff0000000000000000000000000000000000000000000000000000"));
    assertThat(CompactTarget.toTarget(0x1b0404cb))
        .isEqualTo(hex("00000000000404cb000000000000000000000000000000000000000000000000"));
    assertThat(CompactTarget.toTarget(0x01123456)).isEqualTo(hex("12"));
    assertThat(CompactTarget.toTarget(0x02123456)).isEqualTo(hex("1234"));
    assertThat(CompactTarget.toTarget(0x03123456)).isEqualTo(hex("123456"));
    assertThat(CompactTarget.toTarget(0x04123456)).isEqualTo(hex("12345600"));
    assertThat(CompactTarget.toTarget(0x05009234)).isEqualTo(hex("92340000"));
    assertThat(CompactTarget.toTarget(0x20123456))
        .isEqualTo(hex("1234560000000000000000000000000000000000000000000000000000000000"));
    assertThat(CompactTarget.toTarget(0x00123456)).isEqualTo(BigInteger.ZERO);
    assertThat(CompactTarget.toTarget(0x01003456)).isEqualTo(BigInteger.ZERO);
  }

  @Test
  void encodesBitcoinVectors() {
    assertThat(CompactTarget.fromTarget(hex("12"))).isEqualTo(0x01120000);
    assertThat(CompactTarget.fromTarget(hex("80"))).isEqualTo(0x02008000);
    assertThat(CompactTarget.fromTarget(hex("1234"))).isEqualTo(0x02123400);
    assertThat(CompactTarget.fromTarget(hex("123456"))).isEqualTo(0x03123456);
    assertThat(CompactTarget.fromTarget(hex("12345600"))).isEqualTo(0x04123456);
    assertThat(CompactTarget.fromTarget(hex("92340000"))).isEqualTo(0x05009234);
    assertThat(CompactTarget.fromTarget(CompactTarget.toTarget(0x1d00ffff))).isEqualTo(0x1d00ffff);
    assertThat(CompactTarget.fromTarget(BigInteger.ZERO)).isEqualTo(0);
  }

  @Test
  void refusesNegativeAndOverflowingAndNonCanonical() {
    assertThatThrownBy(() -> CompactTarget.toTarget(0x04923456))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactTarget.toTarget(0xff123456))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CompactTarget.isCanonical(0x04923456)).isFalse(); // negative
    assertThat(CompactTarget.isCanonical(0x22123456)).isFalse(); // > 256 bits
    assertThat(CompactTarget.isCanonical(0x00000000)).isFalse(); // zero
    assertThat(CompactTarget.isCanonical(0x04001234)).isFalse(); // leading zero byte
    assertThat(CompactTarget.isCanonical(0x01123456)).isFalse(); // dropped digits
    assertThat(CompactTarget.isCanonical(0x1d00ffff)).isTrue();
    assertThat(CompactTarget.isCanonical(0x207fffff)).isTrue();
  }

  @Test
  void workIsTwoTo256OverTargetPlusOne() {
    assertThat(CompactTarget.work(0x1d00ffff)).isEqualTo(BigInteger.valueOf(0x100010001L));
    assertThat(CompactTarget.work(0x207fffff)).isEqualTo(BigInteger.TWO);
    assertThat(CompactTarget.targetBytes(0x1d00ffff)[4]).isEqualTo((byte) 0xff);
  }
}
