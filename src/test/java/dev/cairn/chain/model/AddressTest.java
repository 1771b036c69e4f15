package dev.cairn.chain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.chain.ChainFixture;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AddressTest {
  // Pinned in docs/PROTOCOL.md: seed SHA-256("cairn dev key 0").
  static final String DEV0_SEED =
      "3a7d2453e223542944fe6cfc39543e3392dd9983d908317a06aed1fdc46670ba";
  static final String DEV0_ADDRESS = "cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va";

  @Test
  void derivesAddressFromPublicKeyAsPinned() {
    SigningKey k = SigningKey.fromSeed(HexFormat.of().parseHex(DEV0_SEED));
    assertThat(k.address().text()).isEqualTo(DEV0_ADDRESS);
    assertThat(k.address().bytes())
        .isEqualTo(java.util.Arrays.copyOf(Hash.sha256(k.publicKey()).bytes(), 20));
  }

  @Test
  void parsesItsOwnTextAndUpperCase() throws Exception {
    Address a = ChainFixture.Trivial.key(3).address();
    assertThat(Address.parse(a.text())).isEqualTo(a);
    assertThat(Address.parse(a.text().toUpperCase())).isEqualTo(a);
    assertThat(a.text()).startsWith("cairn1").hasSize(44);
  }

  @Test
  void refusesEverySingleCharacterTypoWithChecksumMessage() {
    String text = DEV0_ADDRESS;
    for (int i = 6; i < text.length(); i++) {
      for (char c : Bech32m.CHARSET.toCharArray()) {
        if (c == text.charAt(i)) {
          continue;
        }
        String typo = text.substring(0, i) + c + text.substring(i + 1);
        assertThatThrownBy(() -> Address.parse(typo))
            .isInstanceOf(AddressFormatException.class)
            .hasMessageContaining("mistyped");
      }
    }
  }

  @Test
  void refusesSwappedNeighbours() {
    String t = DEV0_ADDRESS;
    String swapped = t.substring(0, 10) + t.charAt(11) + t.charAt(10) + t.substring(12);
    assertThatThrownBy(() -> Address.parse(swapped)).hasMessageContaining("checksum");
  }

  @Test
  void namesCharactersOutsideTheAlphabet() {
    String t = DEV0_ADDRESS.substring(0, 20) + "b" + DEV0_ADDRESS.substring(21);
    assertThatThrownBy(() -> Address.parse(t))
        .isInstanceOf(AddressFormatException.class)
        .hasMessageContaining("'b'")
        .hasMessageContaining("not in the address alphabet");
  }

  @Test
  void refusesOtherPrefixMixedCaseAndWrongLength() throws Exception {
    byte[] data = Bech32m.convertBits(new byte[20], 8, 5, true);
    assertThatThrownBy(() -> Address.parse(Bech32m.encode("bc", data)))
        .hasMessageContaining("prefix is 'bc'");
    assertThatThrownBy(
            () ->
                Address.parse(
                    "cairn1"
                        + DEV0_ADDRESS.substring(6, 10).toUpperCase()
                        + DEV0_ADDRESS.substring(10)))
        .hasMessageContaining("mixes upper and lower case");
    byte[] short5 = Bech32m.convertBits(new byte[19], 8, 5, true);
    assertThatThrownBy(() -> Address.parse(Bech32m.encode("cairn", short5)))
        .hasMessageContaining("wrong length");
    assertThatThrownBy(() -> Address.parse("cairn")).isInstanceOf(AddressFormatException.class);
    assertThatThrownBy(() -> Address.parse("x".repeat(200))).hasMessageContaining("too long");
  }

  @Test
  void acceptsBip350Bech32mVectors() throws Exception {
    // Valid Bech32m strings from BIP-350.
    for (String s :
        new String[] {
          "A1LQFN3A",
          "a1lqfn3a",
          "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
          "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
          "?1v759aa"
        }) {
      Bech32m.decode(s);
    }
    // A Bech32 (not m) string fails the Bech32m checksum.
    assertThatThrownBy(() -> Bech32m.decode("a12uel5l")).hasMessageContaining("checksum");
  }
}
