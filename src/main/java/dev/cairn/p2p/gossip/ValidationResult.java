package dev.cairn.p2p.gossip;

/**
 * The application's verdict on a message (gossipsub v1.1 extended validation). ACCEPT delivers and
 * forwards; IGNORE drops without penalty; REJECT drops and counts against the peer that sent it
 * (P4).
 */
public sealed interface ValidationResult {
  ValidationResult ACCEPT = new Accept();

  /** Deliver to subscribers and forward. */
  record Accept() implements ValidationResult {}

  /** Drop quietly: the message may be fine but is of no use (e.g. a duplicate block). */
  record Ignore(String reason) implements ValidationResult {}

  /** Drop and penalise the sender: the message is invalid. */
  record Reject(String reason) implements ValidationResult {}

  static ValidationResult ignore(String reason) {
    return new Ignore(reason);
  }

  static ValidationResult reject(String reason) {
    return new Reject(reason);
  }
}
