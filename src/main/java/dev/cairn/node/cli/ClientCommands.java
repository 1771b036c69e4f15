package dev.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Amount;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that ask a running node's HTTP API: balance, status, health, peers, block. */
final class ClientCommands {
  /** The default API URL, matching {@code cairn node}'s default {@code --api}. */
  static final String DEFAULT_NODE = "http://127.0.0.1:8645";

  private ClientCommands() {}

  /** {@code --node <url>}, else {@code CAIRN_NODE}, else {@link #DEFAULT_NODE}. */
  static final class NodeOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--node",
        paramLabel = "<url>",
        description = "The node's API URL. Env: CAIRN_NODE. Default: " + DEFAULT_NODE)
    String node;

    NodeClient client() {
      return new NodeClient(url());
    }

    String url() {
      return node != null ? node : Main.env(spec).getOrDefault("CAIRN_NODE", DEFAULT_NODE);
    }
  }

  @Command(
      name = "balance",
      description = "Print an account's balance (base units and coins) and nonce.")
  static final class Balance implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeOption node;

    @Parameters(paramLabel = "<address>", description = "The account (cairn1...).")
    String address;

    @Override
    public Integer call() throws Exception {
      Address a = Main.parseAddress(address, "<address>");
      JsonNode account = node.client().get("accounts/" + a.text());
      long balance = account.path("balance").asLong();
      Print.out(
          spec,
          String.format(
              "%d units (%s coins), nonce %d",
              balance, Amount.format(balance), account.path("nonce").asLong()));
      return 0;
    }
  }

  /** A command that prints the API's JSON answer for one path. */
  abstract static class JsonQuery implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeOption node;

    /** The path under {@code /api/v1/}: by default the command's name. */
    String path() {
      return spec.name();
    }

    @Override
    public Integer call() throws Exception {
      return printJson(spec, node, path());
    }
  }

  @Command(
      name = "status",
      description = "Print the node's status (network, head, peers, sync) as JSON.")
  static final class Status extends JsonQuery {}

  @Command(
      name = "health",
      description =
          "Print whether every part of the node runs (exit 0), or why not (exit 1); for health"
              + " checks.")
  static final class Health extends JsonQuery {}

  @Command(name = "peers", description = "Print the node's connected peers as JSON.")
  static final class Peers extends JsonQuery {}

  @Command(name = "block", description = "Print a block (header and transaction ids) as JSON.")
  static final class BlockQuery extends JsonQuery {
    @Parameters(paramLabel = "<hash|height>", description = "Block hash (64 hex digits) or height.")
    String id;

    @Override
    String path() {
      if (!id.matches("[0-9]{1,19}|[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(
            "a block is named by its height or its 64-hex-digit hash, got '" + id + "'");
      }
      return "blocks/" + id;
    }
  }

  /** Prints the API's JSON answer for {@code path} (under {@code /api/v1/}) pretty-printed. */
  static int printJson(CommandSpec spec, NodeOption node, String path) throws Exception {
    Print.out(spec, NodeClient.pretty(node.client().get(path)));
    return 0;
  }
}
