package com.oms.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/** Runs asynchronous work over a list with at most {@code limit} items in flight. */
public final class Bounded {

  private Bounded() {
  }

  /** Completes when every item's work has completed, successfully or not. */
  public static <T> Future<Void> forEach(List<T> items, int limit, Function<T, Future<?>> work) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    Iterator<T> next = items.iterator();
    int[] running = {0};
    int[] finished = {0};
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (running[0] < limit && next.hasNext()) {
        T item = next.next();
        running[0]++;
        Future<?> step;
        try {
          step = work.apply(item);
        } catch (RuntimeException e) {
          step = Future.failedFuture(e);
        }
        step.onComplete(ar -> {
          running[0]--;
          finished[0]++;
          if (finished[0] == items.size()) {
            done.complete();
          } else {
            launch[0].run();
          }
        });
      }
    };
    launch[0].run();
    return done.future();
  }
}
