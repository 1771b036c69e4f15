package dev.cairn.p2p.gossip;

import dev.cairn.p2p.gossip.GossipCommand.Validated;
import dev.cairn.p2p.multiformats.PeerId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Messages in validation: the signature check and the application's {@link Validator} run on {@code
 * worker}, their verdict comes back through {@code post} as a {@link Validated} command, and a
 * validator that does not answer within {@code validationTimeout} counts as IGNORE. Part of {@link
 * GossipState}: stepped on its owner thread, which never waits for a verdict.
 */
final class Validation extends GossipPart {
  private static final Logger LOG = LogManager.getLogger();

  /**
   * A message in validation: who sent it first, when we stop waiting for the validator, and its
   * bytes.
   */
  private record Validating(PeerId from, String topic, long deadline, long bytes) {}

  private final Mesh mesh;
  private final DontWant dontWant;
  private final GossipState.Output output;
  private final Executor worker;
  private final Consumer<GossipCommand> post;
  private final Map<String, Validator> validators = new HashMap<>();
  private final GossipCounters counters;
  private long pendingBytes;

  /** In deadline order (one timeout for all): the head expires first. */
  private final LinkedHashMap<MessageId, Validating> validating = new LinkedHashMap<>();

  Validation(
      Shared shared,
      Mesh mesh,
      DontWant dontWant,
      GossipState.Output output,
      Executor worker,
      Consumer<GossipCommand> post,
      GossipCounters counters) {
    super(shared);
    this.counters = counters;
    this.mesh = mesh;
    this.dontWant = dontWant;
    this.output = output;
    this.worker = worker;
    this.post = post;
  }

  /** Sets (or, with null, removes) {@code topic}'s validator. */
  void setValidator(String topic, Validator validator) {
    if (validator == null) {
      validators.remove(topic);
    } else {
      validators.put(topic, validator);
    }
  }

  int pending() {
    return validating.size();
  }

  long pendingBytes() {
    return pendingBytes;
  }

  /**
   * Starts validating a first-seen message {@code m} from {@code from}, if there is room: fewer
   * than {@code maxPendingValidations} messages and {@code maxPendingValidationBytes} bytes.
   */
  void start(PeerId from, Rpc.Message m, MessageId id, long now) {
    long bytes = m.size();
    if (validating.size() >= config.maxPendingValidations()
        || pendingBytes + bytes > config.maxPendingValidationBytes()) {
      // At the limit we IGNORE (no penalty) and forget the id: we never looked at the message, so
      // a copy that arrives when there is room must be validated, not dropped as seen.
      seen.remove(id);
      counters.validationsDropped.incrementAndGet();
      counters.validationsDroppedBytes.addAndGet(bytes);
      LOG.debug("validation queue full; ignoring {} from {}", id, from.shortString());
      return;
    }
    score.validationStarted(from, id, now);
    pendingBytes += bytes;
    validating.put(
        id, new Validating(from, m.topic(), now + config.validationTimeout().toMillis(), bytes));
    Validator validator = validators.getOrDefault(m.topic(), Validator.acceptAll());
    SignaturePolicy policy = config.signaturePolicy();
    CompletableFuture<Validated> done =
        CompletableFuture.supplyAsync(() -> MessageSigning.check(policy, m), worker)
            .thenCompose(
                checked -> {
                  GossipMessage view =
                      new GossipMessage(
                          m.topic(),
                          m.data() == null ? new byte[0] : m.data(),
                          id,
                          checked.author(),
                          checked.seqno(),
                          from);
                  if (!(checked.result() instanceof ValidationResult.Accept)) {
                    return CompletableFuture.completedFuture(
                        new Validated(from, id, m, view, checked.result()));
                  }
                  return validator
                      .validate(view)
                      .thenApply(r -> new Validated(from, id, m, view, r));
                });
    done.whenCompleteAsync(
        (v, e) ->
            post.accept(
                v != null
                    ? v
                    : new Validated(
                        from, id, m, null, ValidationResult.ignore("validator failed: " + e))),
        worker);
  }

  /** A verdict came back: deliver and forward, or charge the sender, or forget the id. */
  void validated(Validated v) {
    Validating was = validating.remove(v.id());
    if (was == null) {
      // We stopped waiting (validationTimeout) and counted it as IGNORE: the late answer is moot.
      LOG.debug("late validation result for {} dropped: {}", v.id(), v.result());
      return;
    }
    pendingBytes -= was.bytes();
    long now = clock.millis();
    String topic = v.message().topic();
    switch (v.result()) {
      case ValidationResult.Accept a -> {
        score.accepted(v.from(), v.id(), topic, now);
        mcache.put(v.id(), v.message());
        if (mesh.joined(topic)) {
          output.deliver(v.view());
        }
        mesh.forward(v.message(), v.id(), v.from(), v.view().author().orElse(null), dontWant);
      }
      case ValidationResult.Reject r -> {
        LOG.debug("rejected {} from {}: {}", v.id(), v.from().shortString(), r.reason());
        score.rejected(v.from(), v.id(), topic, true);
        output.rejected(v.from(), topic, r.reason());
      }
      case ValidationResult.Ignore i -> {
        if (i.retryLater()) {
          // Not judged (the application was busy): forget it, so an honest copy that arrives
          // later is validated instead of being dropped as seen for seenTtl. No penalty, and no
          // delivery record either (the next copy starts a fresh one).
          LOG.debug(
              "{} from {} not validated, retry later: {}",
              v.id(),
              v.from().shortString(),
              i.reason());
          seen.remove(v.id());
          score.forget(v.id());
        } else {
          score.rejected(v.from(), v.id(), topic, false);
        }
      }
    }
  }

  /** Validators that did not answer in time count as IGNORE; their slots are freed. */
  void expire(long now) {
    for (Iterator<Map.Entry<MessageId, Validating>> it = validating.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<MessageId, Validating> e = it.next();
      Validating v = e.getValue();
      if (v.deadline() > now) {
        break;
      }
      it.remove();
      pendingBytes -= v.bytes();
      LOG.debug("validation of {} from {} timed out", e.getKey(), v.from().shortString());
      score.rejected(v.from(), e.getKey(), v.topic(), false);
    }
  }
}
