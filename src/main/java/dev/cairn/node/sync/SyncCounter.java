package dev.cairn.node.sync;

/**
 * What sync counts, each with the metric it is exported as ({@code null}: read by tests only) and
 * that metric's help text.
 */
public enum SyncCounter {
  /** Blocks imported by sync rounds. */
  BLOCKS_IMPORTED("cairn_sync_blocks_imported", "Blocks imported by sync"),
  /** Batches or headers rejected as invalid, unrequested or unlinked. */
  INVALID_RESPONSES("cairn_sync_invalid_responses", "Invalid sync answers from peers"),
  /** Requests that timed out. */
  TIMEOUTS("cairn_sync_timeouts", "Sync requests that timed out"),
  /** Rounds restarted by the stall detector. */
  STALLS("cairn_sync_stalls", "Sync rounds restarted by the stall detector"),
  /** Times a peer announced work it could not show (and paid for it). */
  UNPROVEN_CLAIMS(
      "cairn_sync_unproven_claims",
      "Times a peer announced chain work its headers or bodies could not show"),
  /** Peers refused for another network or genesis. */
  REFUSALS("cairn_peers_refused", "Peers refused for another network or genesis"),
  /** Batches fetched again after a failure. */
  REFETCHES(null, null),
  /** Answers to our own status requests (a peer's status that came with its request is not one). */
  STATUS_ANSWERS(null, null);

  private final String metric;
  private final String help;

  SyncCounter(String metric, String help) {
    this.metric = metric;
    this.help = help;
  }

  /** The gauge this counter is exported as, or null when it is not exported. */
  public String metric() {
    return metric;
  }

  /** The gauge's help text, or null when it is not exported. */
  public String help() {
    return help;
  }
}
