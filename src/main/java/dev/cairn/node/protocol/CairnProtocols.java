package dev.cairn.node.protocol;

import java.util.Optional;

/**
 * The protocol ids of one Cairn network (DESIGN.md, "Wire formats"): everything of ours is under
 * {@code /cairn/<network>/}, so that two networks never mix. This class is the one place that
 * builds these ids and the one place that reads them back; the p2p layer receives them as plain
 * strings.
 *
 * <ul>
 *   <li>sync requests: {@code /cairn/<network>/req/<name>/1} ({@link #request}), among them {@code
 *       block_txs} ({@link #BLOCK_TXS}) for compact block relay
 *   <li>gossip topics: {@code /cairn/<network>/blocks/1} and {@code /cairn/<network>/txs/1}
 *   <li>the Kademlia DHT: {@code /cairn/<network>/kad/1.0.0}
 * </ul>
 *
 * @param network the network name ({@code dev}, {@code test}); not empty, no {@code /}
 */
public record CairnProtocols(String network) {
  private static final String PREFIX = "/cairn/";

  /** The sync request that exchanges statuses. */
  public static final String STATUS = "status";

  /** The sync request for headers after a block locator. */
  public static final String HEADERS_BY_LOCATOR = "headers_by_locator";

  /** The sync request for blocks named by hash. */
  public static final String BLOCKS_BY_HASH = "blocks_by_hash";

  /** The sync request for canonical blocks by height. */
  public static final String BLOCKS_BY_RANGE = "blocks_by_range";

  /** The request for some transactions of a block, by index (compact block relay). */
  public static final String BLOCK_TXS = "block_txs";

  private static final String STATUS_SUFFIX = "/req/" + STATUS + "/1";

  public CairnProtocols {
    if (network.isEmpty() || network.indexOf('/') >= 0) {
      throw new IllegalArgumentException("bad network name for a protocol id: '" + network + "'");
    }
  }

  /** The ids of {@code network}. */
  public static CairnProtocols of(String network) {
    return new CairnProtocols(network);
  }

  /** The sync request protocol {@code name} ({@link #STATUS}, {@link #BLOCKS_BY_HASH}, ...). */
  public String request(String name) {
    return PREFIX + network + "/req/" + name + "/1";
  }

  /** The gossip topic of blocks. */
  public String blocksTopic() {
    return PREFIX + network + "/blocks/1";
  }

  /** The gossip topic of transactions. */
  public String txsTopic() {
    return PREFIX + network + "/txs/1";
  }

  /** The Kademlia DHT's protocol id. */
  public String kad() {
    return PREFIX + network + "/kad/1.0.0";
  }

  /**
   * The network whose status request {@code protocolId} is ({@code /cairn/<network>/req/status/1}),
   * or empty when it is no Cairn status protocol (any other id a peer lists, or one with nothing
   * between the prefix and the suffix).
   */
  public static Optional<String> statusNetwork(String protocolId) {
    int end = protocolId.length() - STATUS_SUFFIX.length();
    if (end <= PREFIX.length()
        || !protocolId.startsWith(PREFIX)
        || !protocolId.endsWith(STATUS_SUFFIX)) {
      return Optional.empty();
    }
    return Optional.of(protocolId.substring(PREFIX.length(), end));
  }
}
