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
    Validator validator = validators.get(m.topic());
    SignaturePolicy policy = config.signaturePolicy();
    if (validator == null && policy == SignaturePolicy.STRICT_NO_SIGN) {
      // Nothing to wait for: the check only looks at which fields are present, and no validator
      // means accept. Judged in this step, so the message is delivered and forwarded with this
      // step's RPCs (its IDONTWANTs) instead of after two thread hand-offs and another step.
      MessageSigning.Checked checked = MessageSigning.check(policy, m);
      validated(new Validated(from, id, m, view(from, m, id, checked), checked.result()));
      return;
    }
    Validator v = validator == null ? Validator.acceptAll() : validator;
    // One worker task: the check, then the validator. A verdict the validator has at once is
    // posted from this task; a later one from another worker task, never from the thread that
    // completes the validator's future (it may be one that must not wait for our mailbox).
    worker.execute(
        () -> {
          GossipMessage view = null;
          try {
            MessageSigning.Checked checked = MessageSigning.check(policy, m);
            view = view(from, m, id, checked);
            if (!(checked.result() instanceof ValidationResult.Accept)) {
              post.accept(new Validated(from, id, m, view, checked.result()));
              return;
            }
            GossipMessage seen = view;
            CompletableFuture<ValidationResult> answer = v.validate(view);
            if (answer.isDone()) {
              post.accept(verdict(from, id, m, seen, answer));
            } else {
              answer.whenCompleteAsync(
                  (r, e) -> post.accept(verdict(from, id, m, seen, answer)), worker);
            }
          } catch (RuntimeException e) {
            post.accept(failed(from, id, m, e));
          }
        });
  }

  private static GossipMessage view(
      PeerId from, Rpc.Message m, MessageId id, MessageSigning.Checked checked) {
    return new GossipMessage(
        m.topic(),
        m.data() == null ? new byte[0] : m.data(),
        id,
        checked.author(),
        checked.seqno(),
        from);
  }

  /** The verdict of a validator's completed {@code answer}: IGNORE if it failed. */
  private static Validated verdict(
      PeerId from,
      MessageId id,
      Rpc.Message m,
      GossipMessage view,
      CompletableFuture<ValidationResult> answer) {
    try {
      return new Validated(from, id, m, view, answer.join());
    } catch (java.util.concurrent.CompletionException
        | java.util.concurrent.CancellationException e) {
      return failed(from, id, m, e);
    }
  }

  private static Validated failed(PeerId from, MessageId id, Rpc.Message m, Throwable e) {
    return new Validated(from, id, m, null, ValidationResult.ignore("validator failed: " + e));
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
