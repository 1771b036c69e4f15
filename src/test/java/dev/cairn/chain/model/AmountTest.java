package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AmountTest {
  @Test
  void formatsAndParsesCoins() {
    assertThat(Amount.format(150_000_000L)).isEqualTo("1.50000000");
    assertThat(Amount.format(1)).isEqualTo("0.00000001");
    assertThat(Amount.parse("1.5")).isEqualTo(150_000_000L);
    assertThat(Amount.parse(" 0.00000001 ")).isEqualTo(1);
    assertThatThrownBy(() -> Amount.parse("0.000000001"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Amount.parse("99999999999999"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Amount.parse("one")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void arithmeticRefusesOverflow() {
    assertThat(Amount.add(2, 3)).isEqualTo(5);
    assertThatThrownBy(() -> Amount.add(Long.MAX_VALUE, 1)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Amount.subtract(Long.MIN_VALUE, 1))
        .isInstanceOf(ArithmeticException.class);
  }
}
