package com.oms.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;

/**
 * Makes a periodic job run on one member at a time: the member holding a named lock, which it keeps once
 * it has it. In a cluster the lock is Hazelcast's, released when its holder leaves or dies, so another
 * member takes over at its next tick; in a single process it is a local lock. The jobs guarded this way are
 * safe to run twice anyway (each order is moved under its version, each batch with SKIP LOCKED); the lock
 * keeps N members from each doing the same scan.
 */
public final class Leadership {

  private final Vertx vertx;
  private final String name;
  private Lock held;
  private boolean asking;
  private boolean running;

  public Leadership(Vertx vertx, String job) {
    this.vertx = vertx;
    this.name = "oms.leader." + job;
  }

  /**
   * Every {@code interval}, runs {@code job} if this member leads it (taking the lead if it is free). A tick
   * that comes while the previous run is still going is skipped, so runs never overlap.
   */
  public void every(java.time.Duration interval, java.util.function.Supplier<Future<?>> job) {
    vertx.setPeriodic(interval.toMillis(), id -> {
      if (running) {
        return;
      }
      lead().onSuccess(leader -> {
        if (leader && !running) {
          running = true;
          Future<?> run;
          try {
            run = job.get();
          } catch (RuntimeException e) {
            run = Future.failedFuture(e);
          }
          run.onComplete(ar -> running = false);
        }
      });
    });
  }

  /** True when this member holds the job's lock (taking it if it is free). */
  public Future<Boolean> lead() {
    if (held != null) {
      return Future.succeededFuture(true);
    }
    if (asking) {
      return Future.succeededFuture(false);
    }
    asking = true;
    return vertx.sharedData().getLockWithTimeout(name, 10)
      .map(lock -> {
        held = lock;
        return true;
      })
      .otherwise(false)
      .andThen(ar -> asking = false);
  }

  /** Hands the job over: called when the verticle stops, so another member need not wait for a death. */
  public void resign() {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
