package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Transaction;
import dev.cairn.testing.Fuzz;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the API request bodies: a transaction body (hex, or JSON with a "tx" field) and an address
 * in a path. Refusals are {@link IllegalArgumentException} (HTTP 400), nothing else.
 */
class ChainRoutesFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void transactionBodyDecodesOrIsRefused(byte[] input) throws Exception {
    Transaction tx =
        Fuzz.bounded(
            input, 512, 0, IllegalArgumentException.class, () -> ChainRoutes.decodeBody(input));
    if (tx != null) {
      assertThat(ChainCodec.decodeTransaction(ChainCodec.encode(tx))).isEqualTo(tx);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void addressParsesOrIsRefused(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    Fuzz.bounded(input, 512, 0, RuntimeException.class, () -> ChainRoutes.parseAddress(text));
  }
}
