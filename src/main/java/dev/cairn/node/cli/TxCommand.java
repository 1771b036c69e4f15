package dev.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.wallet.Keystore;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn tx send}: sign a transfer with a keystore key and submit it to a node. */
@Command(
    name = "tx",
    description = "Transactions.",
    subcommands = {TxCommand.Send.class})
final class TxCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "send",
      description = {
        "Sign a transfer and submit it to the node; prints the transaction id.",
        "Amounts and fees are whole base units (1 coin = 100000000 units)."
      })
  static final class Send implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClientCommands.NodeOption node;

    @Mixin Options.Keystore keystore;

    @Option(names = "--to", paramLabel = "<address>", required = true, description = "Recipient.")
    String to;

    @Option(
        names = "--amount",
        paramLabel = "<n>",
        required = true,
        description = "Base units to send (1 coin = 100000000).")
    long amount;

    @Option(
        names = "--fee",
        paramLabel = "<n>",
        description =
            "Fee in base units (at least the network's minimum). Default: ${DEFAULT-VALUE}",
        defaultValue = "1000")
    long fee;

    @Option(
        names = "--nonce",
        paramLabel = "<n>",
        description =
            "Nonce to use. Default: the account's next nonce from the node (mempool too).")
    Long nonce;

    @Mixin Options.PassphraseFile passphrase;

    @Override
    public Integer call() throws Exception {
      Address recipient = Main.parseAddress(to, "--to");
      if (amount <= 0) {
        throw new IllegalArgumentException("--amount must be positive");
      }
      if (fee < 0) {
        throw new IllegalArgumentException("--fee must not be negative");
      }
      NodeClient client = node.client();
      char[] pass = passphrase.read(false);
      SigningKey key;
      try {
        key = Keystore.read(keystore.file, pass);
      } finally {
        Arrays.fill(pass, ' ');
      }
      JsonNode status = client.get("status");
      if (!status.has("chainId")) {
        throw new IllegalArgumentException("the node's status has no chainId; is it a Cairn node?");
      }
      int chainId = status.path("chainId").asInt();
      long n =
          nonce != null
              ? nonce
              : client.get("accounts/" + key.address().text()).path("nextNonce").asLong();
      Transaction tx = Transaction.signed(key, chainId, recipient, amount, fee, n);
      String body =
          NodeClient.JSON.writeValueAsString(
              Map.of("tx", HexFormat.of().formatHex(ChainCodec.encode(tx))));
      JsonNode answer = client.post("txs", body);
      Print.out(spec, answer.path("id").asText(tx.id().toString()));
      return 0;
    }
  }
}
