package dev.cairn.chain.consensus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.AddressFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a network file ({@code networks/dev.json}, {@code networks/test.json} on the class path, or
 * any stream) into {@link NetworkParams}. Unknown fields and bad values are refused with a message
 * naming the field. Format: docs/PROTOCOL.md, "Genesis file".
 */
public final class GenesisFile {
  private static final int MAX_FILE_BYTES = 1 << 20;
  private static final int MAX_ALLOCATIONS = 10_000;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private GenesisFile() {}

  /** The built-in network {@code name} ("dev" or "test"). */
  public static NetworkParams load(String name) throws IOException {
    if (!name.matches("[a-z0-9-]{1,32}")) {
      throw new IllegalArgumentException("bad network name: " + name);
    }
    try (InputStream in = GenesisFile.class.getResourceAsStream("/networks/" + name + ".json")) {
      if (in == null) {
        throw new IOException("no built-in network '" + name + "'");
      }
      return parse(in);
    }
  }

  /** Parses a network file; {@link IOException} with the field name if it is not valid. */
  public static NetworkParams parse(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    if (bytes.length > MAX_FILE_BYTES) {
      throw new IOException("network file larger than 1 MiB");
    }
    JsonNode root = JSON.readTree(bytes);
    if (root == null || !root.isObject()) {
      throw new IOException("network file must be a JSON object");
    }
    Set<String> known =
        Set.of(
            "name",
            "chainId",
            "genesisTimestamp",
            "genesisBits",
            "powLimitBits",
            "blockTimeMillis",
            "halfLifeMillis",
            "maxFutureDriftMillis",
            "initialReward",
            "halvingInterval",
            "minFee",
            "allocations",
            "minimumChainWork",
            "comment");
    for (var it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new IOException("unknown field '" + f + "'");
      }
    }
    List<NetworkParams.Allocation> allocations = new ArrayList<>();
    JsonNode list = required(root, "allocations");
    if (!list.isArray() || list.size() > MAX_ALLOCATIONS) {
      throw new IOException("'allocations' must be an array of at most " + MAX_ALLOCATIONS);
    }
    Set<Address> seen = new HashSet<>();
    for (JsonNode a : list) {
      Address address;
      try {
        address = Address.parse(required(a, "address").asText());
      } catch (AddressFormatException e) {
        throw new IOException("allocation address: " + e.getMessage(), e);
      }
      if (!seen.add(address)) {
        throw new IOException("allocation address " + address + " appears twice");
      }
      long balance = positiveLong(a, "balance");
      allocations.add(new NetworkParams.Allocation(address, balance));
    }
    allocations.sort(Comparator.comparing(a -> a.address().hex()));
    try {
      NetworkParams p =
          new NetworkParams(
              required(root, "name").asText(),
              (int) longField(root, "chainId", 0, 0xffff_ffffL),
              longField(root, "genesisTimestamp", 0, Long.MAX_VALUE),
              bits(root, "genesisBits"),
              bits(root, "powLimitBits"),
              longField(root, "blockTimeMillis", 1, Long.MAX_VALUE),
              longField(root, "halfLifeMillis", 1, Long.MAX_VALUE),
              longField(root, "maxFutureDriftMillis", 0, Long.MAX_VALUE),
              longField(root, "initialReward", 0, Long.MAX_VALUE),
              longField(root, "halvingInterval", 0, Long.MAX_VALUE),
              longField(root, "minFee", 0, Long.MAX_VALUE),
              allocations,
              minimumChainWork(root));
      p.genesisSupply();
      return p;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IOException("invalid network file: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("missing field '" + field + "'");
    }
    return v;
  }

  private static long longField(JsonNode node, String field, long min, long max)
      throws IOException {
    JsonNode v = required(node, field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IOException("'" + field + "' must be an integer");
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw new IOException("'" + field + "' must be in [" + min + ", " + max + "]");
    }
    return x;
  }

  /** Optional; a JSON string of decimal digits (work exceeds a long), 0 when absent. */
  private static BigInteger minimumChainWork(JsonNode root) throws IOException {
    JsonNode v = root.get("minimumChainWork");
    if (v == null) {
      return BigInteger.ZERO;
    }
    if (!v.isTextual() || !v.asText().matches("[0-9]{1,100}")) {
      throw new IOException(
          "'minimumChainWork' must be a string of decimal digits, e.g. \"0\" or \"891055194\"");
    }
    return new BigInteger(v.asText());
  }

  private static long positiveLong(JsonNode node, String field) throws IOException {
    return longField(node, field, 1, Long.MAX_VALUE);
  }

  private static int bits(JsonNode node, String field) throws IOException {
    String s = required(node, field).asText();
    if (!s.matches("0x[0-9a-fA-F]{8}")) {
      throw new IOException("'" + field + "' must be 0x followed by 8 hex digits");
    }
    int bits = Integer.parseUnsignedInt(s.substring(2), 16);
    if (!CompactTarget.isCanonical(bits)) {
      throw new IOException("'" + field + "' is not a canonical compact target");
    }
    return bits;
  }
}
