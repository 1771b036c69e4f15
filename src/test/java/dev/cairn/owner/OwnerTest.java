package dev.cairn.owner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The owner's contract: full-policies, ask, close, failures, ticks, the owner-thread check. */
// A separate thread, so that a broken owner that blocks the test thread fails the test, not the
// run.
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OwnerTest {
  sealed interface Cmd {}

  /** Holds the owner until {@code release} opens; {@code entered} opens when it starts. */
  record Hold(CountDownLatch entered, CountDownLatch release) implements Cmd {}

  /** Like {@link Hold}, but deaf to interrupts: a handler stuck in a call that ignores them. */
  record Stuck(CountDownLatch entered, CountDownLatch release) implements Cmd {}

  record Note(String text) implements Cmd {}

  record Echo(String text, CompletableFuture<String> reply) implements Cmd {}

  record Ignore(CompletableFuture<String> reply) implements Cmd {}

  record Throw(RuntimeException e, CompletableFuture<String> reply) implements Cmd {}

  record Fail(Error e) implements Cmd {}

  record CheckOwner(CompletableFuture<String> reply) implements Cmd {}

  record Tick() implements Cmd {}

  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final AtomicInteger ticks = new AtomicInteger();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private Owner<Cmd> owner;
  private Scheduler scheduler;

  private void handle(Cmd c) {
    switch (c) {
      case Hold h -> {
        h.entered().countDown();
        try {
          h.release().await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case Stuck k -> {
        k.entered().countDown();
        boolean interrupted = false;
        while (k.release().getCount() > 0) {
          try {
            k.release().await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      case Note n -> handled.add(n.text());
      case Echo e -> e.reply().complete(e.text());
      case Ignore i -> {}
      case Throw t -> throw t.e();
      case Fail f -> throw f.e();
      case CheckOwner k -> {
        owner.checkOwner();
        k.reply().complete("ok");
      }
      case Tick t -> ticks.incrementAndGet();
    }
  }

  private static void fail(Cmd c, Throwable t) {
    switch (c) {
      case Echo e -> e.reply().completeExceptionally(t);
      case Ignore i -> i.reply().completeExceptionally(t);
      case Throw e -> e.reply().completeExceptionally(t);
      case CheckOwner k -> k.reply().completeExceptionally(t);
      case Hold h -> {}
      case Stuck k -> {}
      case Note n -> {}
      case Fail f -> {}
      case Tick k -> {}
    }
  }

  private Owner.Builder<Cmd> builder(int capacity) {
    return Owner.<Cmd>builder("owner-test", capacity, this::handle).failWith(OwnerTest::fail);
  }

  /** Starts {@code b}'s owner and holds it in a {@link Hold}, so that the mailbox fills. */
  private Owner<Cmd> startHeld(Owner.Builder<Cmd> b) throws InterruptedException {
    owner = b.build().start();
    assertThat(owner.send(new Hold(entered, release))).isTrue();
    entered.await();
    return owner;
  }

  @AfterEach
  void closeAll() {
    release.countDown();
    if (owner != null) {
      owner.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
  }

  @Test
  void backPressureMakesTheSenderWaitForRoomAndThenDelivers() throws Exception {
    startHeld(builder(1).fullPolicy(FullPolicy.BACK_PRESSURE));
    assertThat(owner.send(new Note("queued"))).isTrue(); // fills the mailbox
    AtomicReference<Boolean> result = new AtomicReference<>();
    Thread sender = Thread.ofPlatform().start(() -> result.set(owner.send(new Note("waited"))));
    Await.until(() -> sender.getState() == Thread.State.WAITING, "the sender to wait for room");
    assertThat(result.get()).isNull();

    release.countDown();
    sender.join();
    assertThat(result.get()).isTrue();
    Await.until(() -> handled.size() == 2, "both notes");
    assertThat(handled).containsExactly("queued", "waited");
    assertThat(owner.dropped()).isZero();
  }

  @Test
  void backPressureWithATimeoutRefusesOnceTheTimeoutPasses() throws Exception {
    startHeld(builder(1).backPressureTimeout(Duration.ofMillis(50)));
    assertThat(owner.send(new Note("queued"))).isTrue();
    long start = System.nanoTime();
    assertThat(owner.send(new Note("late"))).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void busyRefusesAtOnceAndCountsNothing() throws Exception {
    startHeld(builder(1).fullPolicy(FullPolicy.BUSY));
    assertThat(owner.send(new Note("queued"))).isTrue();
    assertThat(owner.send(new Note("refused"))).isFalse();
    // the policy named at the call site wins over the declared one
    assertThat(owner.send(new Note("refused too"), FullPolicy.BUSY)).isFalse();
    assertThat(owner.dropped()).isZero();

    release.countDown();
    Await.until(() -> handled.contains("queued"), "the queued note");
    assertThat(owner.send(new Note("after"))).isTrue();
    Await.until(() -> handled.size() == 2, "the note after");
    assertThat(handled).containsExactly("queued", "after");
  }

  @Test
  void dropAndCountDropsTheCommandAndCountsIt() throws Exception {
    startHeld(builder(1).fullPolicy(FullPolicy.DROP_AND_COUNT));
    assertThat(owner.send(new Note("queued"))).isTrue();
    assertThat(owner.send(new Note("dropped"))).isFalse();
    assertThat(owner.send(new Note("dropped too"))).isFalse();
    assertThat(owner.dropped()).isEqualTo(2);

    release.countDown();
    Await.until(() -> handled.contains("queued"), "the queued note");
    assertThat(owner.send(new Note("after"))).isTrue();
    Await.until(() -> handled.size() == 2, "the notes taken");
    assertThat(handled).containsExactly("queued", "after");
    assertThat(owner.dropped()).isEqualTo(2);
  }

  @Test
  void askReturnsTheReply() {
    owner = builder(4).build().start();
    assertThat(owner.<String>ask(f -> new Echo("hello", f), Duration.ofSeconds(5)))
        .isEqualTo("hello");
  }

  @Test
  void askFailsWithTimeoutWhenNoReplyComesInTime() {
    owner = builder(4).build().start();
    long start = System.nanoTime();
    assertThatThrownBy(() -> owner.<String>ask(Ignore::new, Duration.ofMillis(100)))
        .isInstanceOfSatisfying(
            OwnerException.class, e -> assertThat(e.kind()).isEqualTo(OwnerException.Kind.TIMEOUT));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(owner.isRunning()).isTrue();
  }

  @Test
  void askOfAFullBusyOwnerFailsAtOnce() throws Exception {
    startHeld(builder(1).fullPolicy(FullPolicy.BUSY));
    assertThat(owner.send(new Note("queued"))).isTrue();
    assertThatThrownBy(() -> owner.<String>ask(f -> new Echo("x", f), Duration.ofSeconds(20)))
        .isInstanceOfSatisfying(
            OwnerException.class, e -> assertThat(e.kind()).isEqualTo(OwnerException.Kind.BUSY));
  }

  @Test
  void closeFailsQueuedRepliesAndOpenAsks() throws Exception {
    startHeld(builder(8));
    CompletableFuture<String> queued = new CompletableFuture<>();
    assertThat(owner.send(new Echo("never", queued))).isTrue();
    AtomicReference<Throwable> asked = new AtomicReference<>();
    AtomicBoolean sent = new AtomicBoolean();
    Thread asker =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    owner.<String>ask(
                        f -> {
                          sent.set(true);
                          return new Echo("never", f);
                        },
                        Duration.ofSeconds(20));
                  } catch (RuntimeException e) {
                    asked.set(e);
                  }
                });
    Await.until(sent::get, "the ask to be sent");
    Await.until(() -> asker.getState() == Thread.State.TIMED_WAITING, "the ask to wait");

    long start = System.nanoTime();
    owner.close(); // interrupts the held handler
    asker.join();
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(10).toNanos());
    assertThat(queued).isCompletedExceptionally();
    assertThat(asked.get())
        .isInstanceOfSatisfying(
            OwnerException.class, e -> assertThat(e.kind()).isEqualTo(OwnerException.Kind.CLOSED));
    assertThat(owner.isRunning()).isFalse();
    assertThat(owner.send(new Note("after close"))).isFalse();
  }

  @Test
  void closeGivesUpOnAStuckHandlerAfterTheJoinTimeoutAndStillFailsQueuedReplies() throws Exception {
    owner = builder(4).joinTimeout(Duration.ofMillis(50)).build().start();
    assertThat(owner.send(new Stuck(entered, release))).isTrue();
    entered.await();
    CompletableFuture<String> queued = new CompletableFuture<>();
    assertThat(owner.send(new Echo("queued", queued))).isTrue();

    owner.close(); // returns although the handler ignores the interrupt
    assertThat(queued).isCompletedExceptionally();
    assertThat(owner.isRunning()).isFalse();
    release.countDown();
  }

  @Test
  void closeFailsWithTheDeclaredClosedError() throws Exception {
    startHeld(builder(8).closedError(f -> new IllegalStateException("chain has stopped")));
    CompletableFuture<String> queued = new CompletableFuture<>();
    owner.send(new Echo("never", queued));
    owner.close();
    assertThat(queued)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingRootCause()
        .withMessage("chain has stopped");
  }

  @Test
  void aRuntimeExceptionFailsThatCommandAndTheOwnerGoesOn() {
    owner = builder(4).build().start();
    CompletableFuture<String> reply = new CompletableFuture<>();
    owner.send(new Throw(new IllegalArgumentException("bad"), reply));
    assertThat(reply)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingRootCause()
        .withMessage("bad");
    assertThat(owner.<String>ask(f -> new Echo("still here", f), Duration.ofSeconds(5)))
        .isEqualTo("still here");
    assertThat(owner.isRunning()).isTrue();
    assertThat(owner.failure()).isEmpty();
  }

  @Test
  void aFatalExceptionOrAnErrorStopsTheOwnerAndFailsWhatWasQueued() throws Exception {
    startHeld(builder(8).fatal(t -> t instanceof java.io.UncheckedIOException));
    CompletableFuture<String> boom = new CompletableFuture<>();
    CompletableFuture<String> queued = new CompletableFuture<>();
    owner.send(new Throw(new java.io.UncheckedIOException(new java.io.IOException("disk")), boom));
    owner.send(new Echo("never", queued));
    release.countDown();
    Await.until(() -> !owner.isRunning(), "the owner to stop");
    assertThat(owner.failure()).containsInstanceOf(java.io.UncheckedIOException.class);
    assertThat(boom).isCompletedExceptionally();
    assertThat(queued).isCompletedExceptionally();

    Owner<Cmd> second = builder(4).build().start();
    try {
      second.send(new Fail(new AssertionError("bug")));
      Await.until(() -> !second.isRunning(), "an Error to stop the owner");
      assertThat(second.failure()).containsInstanceOf(AssertionError.class);
    } finally {
      second.close();
    }
  }

  @Test
  void ticksArriveFromTheSchedulerAsCommands() {
    scheduler = Scheduler.create("owner-test-scheduler");
    owner =
        builder(4)
            .scheduler(scheduler)
            .tick(Duration.ofMillis(1), Duration.ofMillis(5), Tick::new)
            .build()
            .start();
    Await.until(() -> ticks.get() >= 3, "three ticks");
    owner.close();
    int after = ticks.get();
    // no tick after close: the schedule is cancelled and the mailbox takes nothing
    assertThat(owner.send(new Tick())).isFalse();
    assertThat(ticks.get()).isEqualTo(after);
  }

  @Test
  void ticksAreDroppedAndCountedWhileTheMailboxIsFull() throws Exception {
    scheduler = Scheduler.create("owner-test-scheduler");
    startHeld(builder(1).scheduler(scheduler).tick(Duration.ZERO, Duration.ofMillis(2), Tick::new));
    Await.until(() -> owner.dropped() >= 2, "ticks dropped at a full mailbox");
    release.countDown();
    Await.until(() -> ticks.get() >= 2, "ticks again once there is room");
  }

  @Test
  void checkOwnerPassesOnTheOwnerThreadOnly() {
    owner = builder(4).build().start();
    assertThat(owner.<String>ask(CheckOwner::new, Duration.ofSeconds(5))).isEqualTo("ok");
    assertThatThrownBy(owner::checkOwner).isInstanceOf(IllegalStateException.class);
    assertThat(owner.isOwnerThread()).isFalse();
  }

  @Test
  void theThreadIsNamedAndVirtualUnlessPlatformIsAsked() {
    AtomicReference<Thread> seen = new AtomicReference<>();
    owner =
        Owner.<Cmd>builder("named-owner", 1, c -> seen.set(Thread.currentThread()))
            .platform()
            .build()
            .start();
    owner.send(new Note("x"));
    Await.until(() -> seen.get() != null, "the command");
    assertThat(seen.get().getName()).isEqualTo("named-owner");
    assertThat(seen.get().isVirtual()).isFalse();
  }

  @Test
  void aSchedulerDeadlineRunsItsActionOnceUnlessCancelled() throws Exception {
    scheduler = Scheduler.create("owner-test-scheduler");
    CountDownLatch ran = new CountDownLatch(1);
    AtomicReference<Thread> on = new AtomicReference<>();
    scheduler.after(
        Duration.ofMillis(1),
        "deadline-test",
        () -> {
          on.set(Thread.currentThread());
          ran.countDown();
        });
    ran.await();
    assertThat(on.get().isVirtual()).isTrue();
    assertThat(on.get().getName()).isEqualTo("deadline-test");

    AtomicBoolean cancelledRan = new AtomicBoolean();
    Scheduler.Cancellable c =
        scheduler.after(Duration.ofSeconds(30), "cancelled", () -> cancelledRan.set(true));
    c.cancel();
    assertThat(c.isDone()).isTrue();
    assertThat(cancelledRan).isFalse();
  }
}
