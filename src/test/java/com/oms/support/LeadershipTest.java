package com.oms.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LeadershipTest {

  @Test
  @DisplayName("one holder per job leads and keeps leading; another leads only after it resigns; other jobs are independent")
  void oneLeaderPerJob(Vertx vertx) {
    Leadership first = new Leadership(vertx, "sweeper");
    Leadership second = new Leadership(vertx, "sweeper");
    Leadership otherJob = new Leadership(vertx, "reconciler");

    assertThat(first.lead().await()).isTrue();
    assertThat(second.lead().await()).isFalse();
    assertThat(first.lead().await()).as("the leader keeps its lead").isTrue();
    assertThat(otherJob.lead().await()).isTrue();

    first.resign();
    assertThat(second.lead().await()).as("the lead passes on once given up").isTrue();
    assertThat(first.lead().await()).isFalse();
  }

  @Test
  @DisplayName("a periodic job never overlaps itself: ticks while a run is going are skipped, the next tick after it runs again")
  void runsNeverOverlap(Vertx vertx) {
    Leadership leadership = new Leadership(vertx, "slow-job");
    java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<io.vertx.core.Promise<Void>> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
    leadership.every(java.time.Duration.ofMillis(10), () -> {
      started.incrementAndGet();
      io.vertx.core.Promise<Void> run = io.vertx.core.Promise.promise();
      runs.add(run);
      return run.future();
    });
    awaitStarted(vertx, started, 1);
    vertx.timer(200).await(); // twenty ticks while the first run is still going
    assertThat(started.get()).as("runs started while the first was going").isEqualTo(1);

    vertx.runOnContext(v -> runs.get(0).complete());
    awaitStarted(vertx, started, 2);
  }

  private static void awaitStarted(Vertx vertx, java.util.concurrent.atomic.AtomicInteger started, int count) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (started.get() < count) {
      assertThat(System.nanoTime()).as("%d runs within 5 s", count).isLessThan(deadline);
      vertx.timer(5).await();
    }
  }
}
