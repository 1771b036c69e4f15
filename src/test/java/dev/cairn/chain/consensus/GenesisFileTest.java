package dev.cairn.chain.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GenesisFileTest {
  static final String VALID =
      """
      {"name":"x","chainId":5,"genesisTimestamp":1,"genesisBits":"0x207fffff",
       "powLimitBits":"0x207fffff","blockTimeMillis":1000,"halfLifeMillis":10000,
       "maxFutureDriftMillis":1000,"initialReward":50,"halvingInterval":10,"minFee":1,
       "allocations":[{"address":"cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va","balance":7}]}
      """;

  static NetworkParams parse(String json) throws IOException {
    return GenesisFile.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void loadsDevAndTest() throws Exception {
    NetworkParams dev = GenesisFile.load("dev");
    assertThat(dev.chainId()).isEqualTo(1337);
    assertThat(dev.allocations()).hasSize(4);
    assertThat(dev.genesisSupply()).isEqualTo(4 * 100_000_000_000_000L);
    assertThat(dev.blockTimeMillis()).isEqualTo(2000);
    NetworkParams test = GenesisFile.load("test");
    assertThat(test.chainId()).isEqualTo(2);
    assertThat(test.genesisHeader().hash()).isNotEqualTo(dev.genesisHeader().hash());
    assertThat(test.genesisHeader().hash().hex())
        .isEqualTo("c2ad2077db1db9d7f1a64eb7d1e38b3c9cddf50165893236bb321e8664808088");
  }

  @Test
  void parsesAValidFileAndComputesRewards() throws Exception {
    NetworkParams p = parse(VALID);
    assertThat(p.reward(0)).isZero();
    assertThat(p.reward(1)).isEqualTo(50);
    assertThat(p.reward(10)).isEqualTo(50);
    assertThat(p.reward(11)).isEqualTo(25);
    assertThat(p.reward(10 * 64 + 1)).isZero();
  }

  @Test
  void minimumChainWorkIsAnOptionalDecimalStringDefaultingToZero() throws Exception {
    assertThat(parse(VALID).minimumChainWork()).isZero();
    assertThat(GenesisFile.load("dev").minimumChainWork()).isZero();
    assertThat(GenesisFile.load("test").minimumChainWork()).isZero();
    String big = "123456789012345678901234567890";
    NetworkParams p =
        parse(VALID.replace("\"minFee\":1,", "\"minFee\":1,\"minimumChainWork\":\"" + big + "\","));
    assertThat(p.minimumChainWork()).isEqualTo(new java.math.BigInteger(big));
    for (String bad : new String[] {"12", "\"-1\"", "\"0x10\"", "\"1e9\"", "\"\""}) {
      assertThatThrownBy(
              () ->
                  parse(
                      VALID.replace(
                          "\"minFee\":1,", "\"minFee\":1,\"minimumChainWork\":" + bad + ",")))
          .as(bad)
          .hasMessageContaining("'minimumChainWork' must be a string of decimal digits");
    }
  }

  @Test
  void refusesBadFilesNamingTheField() {
    assertThatThrownBy(() -> parse(VALID.replace("\"name\"", "\"nmae\"")))
        .hasMessageContaining("unknown field 'nmae'");
    assertThatThrownBy(() -> parse(VALID.replace("7va", "7vc")))
        .hasMessageContaining("allocation address")
        .hasMessageContaining("mistyped");
    assertThatThrownBy(() -> parse(VALID.replace("\"balance\":7", "\"balance\":0")))
        .hasMessageContaining("'balance'");
    assertThatThrownBy(() -> parse(VALID.replace("0x207fffff\",\n", "0x20ffffff\",\n")))
        .hasMessageContaining("genesisBits");
    assertThatThrownBy(() -> parse(VALID.replace("\"chainId\":5,", "")))
        .hasMessageContaining("missing field 'chainId'");
    assertThatThrownBy(
            () ->
                parse(
                    VALID.replace(
                        "\"maxFutureDriftMillis\":1000", "\"maxFutureDriftMillis\":100000")))
        .hasMessageContaining("halfLife");
    String twice =
        VALID.replace(
            "\"balance\":7}",
            "\"balance\":7},{\"address\":\"cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va\",\"balance\":1}");
    assertThatThrownBy(() -> parse(twice)).hasMessageContaining("twice");
    String overflow =
        twice.replace(
            "cairn1eg9cf5n8dvmh7nd3lejsvwn7qhn4jpnlpkj7va\",\"balance\":1",
            "cairn1v92n5j6k3zt8d5vgg3rhlr3lmhlmlef7a8qvzp\",\"balance\":9223372036854775807");
    assertThatThrownBy(() -> parse(overflow)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> parse("[]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> GenesisFile.load("nope")).hasMessageContaining("no built-in network");
  }
}
