package dev.cairn.p2p.gossip;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Application validation for one topic. Called on a gossip worker thread (never the router's), once
 * per message the router has not seen before and whose signature policy checks passed. The answer
 * may come later, from any thread (another owner's mailbox reply, for example): the router does not
 * wait for it. A future that fails counts as IGNORE.
 */
@FunctionalInterface
public interface Validator {
  CompletableFuture<ValidationResult> validate(GossipMessage message);

  /** A validator that answers at once. */
  static Validator sync(Function<GossipMessage, ValidationResult> f) {
    return m -> CompletableFuture.completedFuture(f.apply(m));
  }

  /** Accepts everything (the default for a topic without a validator). */
  static Validator acceptAll() {
    return m -> CompletableFuture.completedFuture(ValidationResult.ACCEPT);
  }
}
