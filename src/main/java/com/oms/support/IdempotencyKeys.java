package com.oms.support;

import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.bus.Replies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Stripe-style idempotency keys. The first request with a key runs and its outcome, success or refusal,
 * is stored; a retry with the key gets the stored outcome, whatever happened since; the key with a
 * different request is refused (422). Requests arriving while the first still runs wait for its outcome,
 * so twenty concurrent retries make one order and twenty identical answers. An outcome that only says
 * a dependency was unavailable is not stored: the key is freed and a retry runs again. Keys expire.
 */
public final class IdempotencyKeys {

  /** What the first request came to: {@code ok} with its answer, or the problem it was refused with. */
  public record Outcome(boolean replayed, JsonObject answer) {
  }

  private static final Duration WAIT_STEP = Duration.ofMillis(20);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Duration ttl;
  private final Duration waitAtMost;
  private final SqlStatements sql = SqlStatements.load("sql/idempotency.sql");

  public IdempotencyKeys(Vertx vertx, Pool pool, Clock clock, Duration ttl, Duration waitAtMost) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.ttl = ttl;
    this.waitAtMost = waitAtMost;
  }

  /**
   * Runs {@code work} once per (scope, key); answers its outcome, stored or fresh. A refusal of the
   * first request ({@link Problem}) is stored and replayed as the same refusal.
   */
  public Future<Outcome> once(String scope, String key, String requestHash, Supplier<Future<JsonObject>> work) {
    var now = Times.now(clock);
    Tuple claim = Tuple.of(scope, key, requestHash, now, now.plus(ttl));
    return pool.preparedQuery(sql.get("drop-expired-key")).execute(Tuple.of(scope, key, now))
      .compose(v -> pool.preparedQuery(sql.get("claim")).execute(claim))
      .compose(rows -> rows.size() > 0
        ? runFirst(scope, key, work)
        : replay(scope, key, requestHash, System.nanoTime() + waitAtMost.toNanos()));
  }

  private Future<Outcome> runFirst(String scope, String key, Supplier<Future<JsonObject>> work) {
    Future<JsonObject> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.transform(ar -> {
      if (ar.succeeded()) {
        return store(scope, key, new JsonObject().put("ok", true).put("answer", ar.result()))
          .map(v -> new Outcome(false, ar.result()));
      }
      Problem problem = Replies.toProblem("idempotent request", ar.cause());
      if (problem.status() >= 500) {
        return pool.preparedQuery(sql.get("release")).execute(Tuple.of(scope, key))
          .transform(v -> Future.failedFuture(problem));
      }
      return store(scope, key, new JsonObject().put("ok", false).put("problem", problem.toJson()))
        .compose(v -> Future.failedFuture(problem));
    });
  }

  private Future<Void> store(String scope, String key, JsonObject outcome) {
    return pool.preparedQuery(sql.get("complete")).execute(Tuple.of(scope, key, outcome)).mapEmpty();
  }

  private Future<Outcome> replay(String scope, String key, String requestHash, long giveUpAt) {
    return pool.preparedQuery(sql.get("find")).execute(Tuple.of(scope, key)).compose(rows -> {
      if (rows.size() == 0) {
        // the first request released the key (it failed for a passing reason): this one runs now
        return Future.failedFuture(Problem.unavailable("the first request with this Idempotency-Key failed; retry"));
      }
      Row row = rows.iterator().next();
      if (!requestHash.equals(row.getString("request_hash"))) {
        return Future.failedFuture(new Problem(ProblemType.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was used with a different request"));
      }
      JsonObject outcome = (JsonObject) row.getJson("outcome");
      if (outcome == null) {
        if (System.nanoTime() > giveUpAt) {
          return Future.failedFuture(Problem.unavailable("the first request with this Idempotency-Key is still running"));
        }
        Promise<Outcome> later = Promise.promise();
        vertx.setTimer(WAIT_STEP.toMillis(), id -> replay(scope, key, requestHash, giveUpAt).onComplete(later));
        return later.future();
      }
      if (outcome.getBoolean("ok")) {
        return Future.succeededFuture(new Outcome(true, outcome.getJsonObject("answer")));
      }
      return Future.failedFuture(Problem.fromJson(outcome.getJsonObject("problem")));
    });
  }

  /** Deletes up to {@code batch} expired keys; answers how many. */
  public Future<Integer> forgetExpired(int batch) {
    return pool.preparedQuery(sql.get("forget-expired")).execute(Tuple.of(Times.now(clock), batch))
      .map(rows -> rows.rowCount());
  }
}
