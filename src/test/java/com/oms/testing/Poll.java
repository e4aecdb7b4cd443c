package com.oms.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Asks again every few milliseconds until the answer is right or the deadline passes. Never sleeps a thread. */
public final class Poll {

  private Poll() {
  }

  public static <T> Future<T> until(Vertx vertx, Supplier<Future<T>> probe, Predicate<T> done, Duration deadline,
                                    String what) {
    Promise<T> result = Promise.promise();
    long giveUpAt = System.nanoTime() + deadline.toNanos();
    attempt(vertx, probe, done, giveUpAt, what, result, null);
    return result.future();
  }

  private static <T> void attempt(Vertx vertx, Supplier<Future<T>> probe, Predicate<T> done, long giveUpAt,
                                  String what, Promise<T> result, T last) {
    probe.get().onComplete(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        result.complete(ar.result());
      } else if (System.nanoTime() > giveUpAt) {
        result.fail(new AssertionError("timed out waiting for " + what + "; last seen: "
          + (ar.succeeded() ? ar.result() : ar.cause())));
      } else {
        vertx.setTimer(20, id -> attempt(vertx, probe, done, giveUpAt, what, result, ar.succeeded() ? ar.result() : last));
      }
    });
  }
}
