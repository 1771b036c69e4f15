package dev.cairn.p2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BaseEncodingTest {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @CsvSource({
    "'', ''",
    "00, 1",
    "0000, 11",
    "61, 2g",
    "626262, a3gV",
    "636363, aPEr",
    "00000000000000000000, 1111111111",
    "516b6fcd0f, ABnLTmg",
    "bf4f89001e670274dd, 3SEo3LWLoPntC",
    "572e4794, 3EFU7m",
    "ecac89cad93923c02321, EJDM8drfXA6uyA",
    "000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5,"
        + " 123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
  })
  void base58MatchesBitcoinVectors(String hex, String text) {
    assertThat(Base58.encode(HEX.parseHex(hex))).isEqualTo(text);
    assertThat(Base58.decode(text)).isEqualTo(HEX.parseHex(hex));
  }

  /** Up to 47 random bytes. */
  private static byte[] randomData(Random random) {
    byte[] data = new byte[random.nextInt(48)];
    random.nextBytes(data);
    return data;
  }

  @Test
  void base58EncodesHelloWorld() {
    byte[] hello = "Hello World!".getBytes(StandardCharsets.US_ASCII);
    assertThat(Base58.encode(hello)).isEqualTo("2NEpo7TZRRrLZSi2U");
  }

  @Test
  void base58RoundTripsRandomInputWithLeadingZeros() {
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] data = randomData(random);
      for (int z = 0; z < Math.min(3, data.length); z++) {
        if (random.nextBoolean()) {
          data[z] = 0;
        }
      }
      assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
    }
  }

  @Test
  void base58RejectsCharactersOutsideTheAlphabetAndOverlongText() {
    for (String bad : new String[] {"0", "O", "I", "l", "abc!", "é"}) {
      assertThatThrownBy(() -> Base58.decode(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Base58.decode("2".repeat(Base58.MAX_TEXT + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "'', ''",
    "f, my",
    "fo, mzxq",
    "foo, mzxw6",
    "foob, mzxw6yq",
    "fooba, mzxw6ytb",
    "foobar, mzxw6ytboi"
  })
  void base32MatchesRfc4648VectorsLowercaseUnpadded(String plain, String text) {
    byte[] data = plain.getBytes(StandardCharsets.US_ASCII);
    assertThat(Base32.encode(data)).isEqualTo(text);
    assertThat(Base32.decode(text)).isEqualTo(data);
    assertThat(Base32.decode(text.toUpperCase(java.util.Locale.ROOT))).isEqualTo(data);
  }

  @Test
  void base32RoundTripsRandomInput() {
    Random random = new Random(11);
    for (int i = 0; i < 200; i++) {
      byte[] data = randomData(random);
      assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
    }
  }

  @Test
  void base32RejectsCharactersOutsideTheAlphabet() {
    for (String bad : new String[] {"mzx1", "mzx8", "mzx=", "mz w"}) {
      assertThatThrownBy(() -> Base32.decode(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
