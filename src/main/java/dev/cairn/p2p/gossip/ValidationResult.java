package dev.cairn.p2p.gossip;

/**
 * The application's verdict on a message (gossipsub v1.1 extended validation). ACCEPT delivers and
 * forwards; IGNORE drops without penalty; REJECT drops and counts against the peer that sent it
 * (P4) and costs it host standing ({@link GossipRouter#REJECT_PENALTY}).
 */
public sealed interface ValidationResult {
  ValidationResult ACCEPT = new Accept();

  /** Deliver to subscribers and forward. */
  record Accept() implements ValidationResult {}

  /**
   * Drop quietly: the message may be fine but is of no use (e.g. a duplicate block). With {@code
   * retryLater} the message was not judged at all (the application was too busy): its id is
   * forgotten, so that a copy arriving later is validated instead of dropped as already seen.
   */
  record Ignore(String reason, boolean retryLater) implements ValidationResult {
    public Ignore(String reason) {
      this(reason, false);
    }
  }

  /** Drop and penalise the sender: the message is invalid. */
  record Reject(String reason) implements ValidationResult {}

  static ValidationResult ignore(String reason) {
    return new Ignore(reason);
  }

  /**
   * IGNORE without remembering the message as seen: we could not look at it (a busy validator), so
   * a later copy must get its chance. No penalty for the sender.
   */
  static ValidationResult retryLater(String reason) {
    return new Ignore(reason, true);
  }

  static ValidationResult reject(String reason) {
    return new Reject(reason);
  }
}
