package com.oms.support;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SqlClientInternal;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit across domains: the write statements that any verticle submits while earlier groups are
 * being written go out together, pipelined on one connection in one transaction, so a whole group costs
 * one commit and one WAL flush. A flush is what a write costs most on a machine like the benchmark's: a
 * single-row insert per transaction ran at 11,700/s there, the same without waiting for the flush at
 * 60,000/s. Under light load a statement goes out alone at once (no added latency); under load each group
 * carries what arrived while the previous one was written.
 * <p>
 * Each statement keeps its own meaning: it is atomic, and its answer is delivered only once the group's
 * commit succeeded, so a caller never acts on a write that could still be lost. A statement that fails
 * (a constraint it breaks) aborts its group; the group is then written again statement by statement, in
 * the order submitted, each in its own transaction, so only that statement fails. When the commit's
 * outcome is unknown (the connection dropped), every statement of the group fails as it would alone.
 * Groups written at once can deadlock each other on rows they share; Postgres refuses one of them after
 * its deadlock_timeout and that group is written again statement by statement: correct, but slow. So
 * writes of rows many callers share belong in a group commit of their own with one group in flight (a
 * lane: see OmsApplication). {@code oms.db.group.rewritten} counts rewrites by lane and SQLSTATE.
 * Statements run in the order they were submitted, within a group and across groups in flight at once
 * when those touch different rows; callers that need one write after another wait for the first answer,
 * as they would without grouping. Answers are delivered on the caller's context.
 */
public final class GroupCommit {

  /** Where write statements go: the group commit, or straight to the pool (one commit each). */
  public interface Writes {
    Future<RowSet<Row>> execute(String sql, Tuple params);
  }

  private record Pending(String sql, Tuple params, Context caller, Promise<RowSet<Row>> answer) {
  }

  private final Pool pool;
  private final Context context;
  private final int maxStatements;
  private final int maxInFlight;
  private final int overlapAfter;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private final DistributionSummary groupSizes;
  private final MeterRegistry registry;
  private final String lane;
  private int running;

  /**
   * @param maxStatements statements in one group at most
   * @param maxInFlight groups being written at once (each holds a connection of the pool while it runs)
   * @param overlapAfter statements waiting before another group starts while one is being written: below
   *                     it they wait and go in one group, which costs Postgres less than several small ones
   * @param lane the name of this group commit in its metrics, where a service runs more than one
   */
  public GroupCommit(Vertx vertx, Pool pool, int maxStatements, int maxInFlight, int overlapAfter,
                     MeterRegistry registry, String lane) {
    this.lane = lane;
    this.pool = pool;
    this.context = vertx.getOrCreateContext();
    this.maxStatements = maxStatements;
    this.maxInFlight = maxInFlight;
    this.overlapAfter = Math.max(1, overlapAfter);
    this.registry = registry;
    this.groupSizes = DistributionSummary.builder("oms.db.group.statements")
      .description("Write statements committed together in one transaction (application-level group commit)")
      .tag("lane", lane)
      .register(registry);
  }

  /** The writes of a service without grouping: each statement its own commit. */
  public static Writes direct(Pool pool) {
    return (sql, params) -> pool.preparedQuery(sql).execute(params);
  }

  public Writes writes() {
    return this::execute;
  }

  /** Runs {@code sql} with {@code params} in the next group; answers its rows once the group committed. */
  public Future<RowSet<Row>> execute(String sql, Tuple params) {
    Context caller = Vertx.currentContext();
    Promise<RowSet<Row>> answer = Promise.promise();
    Pending pending = new Pending(sql, params, caller, answer);
    // on the group's own thread (with one event loop, every verticle's) it joins at once: see deliver
    if (caller == context || ((ContextInternal) context).inThread()) {
      enqueue(pending);
    } else {
      context.runOnContext(v -> enqueue(pending));
    }
    return answer.future();
  }

  private void enqueue(Pending pending) {
    waiting.add(pending);
    flush();
  }

  private void flush() {
    while (!waiting.isEmpty() && (running == 0 || (running < maxInFlight && waiting.size() >= overlapAfter))) {
      List<Pending> group = new ArrayList<>(Math.min(waiting.size(), maxStatements));
      while (!waiting.isEmpty() && group.size() < maxStatements) {
        group.add(waiting.poll());
      }
      running++;
      groupSizes.record(group.size());
      Future<Void> written = group.size() == 1 ? alone(group.get(0)) : together(group);
      written.onComplete(ar -> {
        running--;
        flush();
      });
    }
  }

  /** One statement: autocommit, no BEGIN and COMMIT around it. */
  private Future<Void> alone(Pending pending) {
    return pool.preparedQuery(pending.sql()).execute(pending.params())
      .andThen(ar -> deliver(pending, ar.succeeded() ? ar.result() : null, ar.cause()))
      .transform(ar -> Future.succeededFuture());
  }

  private Future<Void> together(List<Pending> group) {
    return pool.getConnection().transform(connected -> {
      if (connected.failed()) {
        group.forEach(pending -> deliver(pending, null, connected.cause()));
        return Future.succeededFuture();
      }
      SqlConnection conn = connected.result();
      List<Future<RowSet<Row>>> results = new ArrayList<>(group.size());
      List<Future<RowSet<Row>>> commit = new ArrayList<>(1);
      // sent at once, without waiting for each answer: the client pipelines them on the connection, and
      // grouped (the client's experimental API, as in TechEmpower's Vert.x benchmark) in one write to the socket
      Handler<SqlClient> send = client -> {
        client.query("BEGIN").execute();
        for (Pending pending : group) {
          results.add(client.preparedQuery(pending.sql()).execute(pending.params()));
        }
        commit.add(client.query("COMMIT").execute());
      };
      if (conn instanceof SqlClientInternal grouping) {
        grouping.group(send);
      } else {
        send.handle(conn);
      }
      Future<RowSet<Row>> committed0 = commit.get(0);
      return Future.join(new ArrayList<Future<?>>(results)).transform(statements -> committed0.transform(committed -> {
        conn.close();
        if (results.stream().allMatch(Future::succeeded) && committed.succeeded()) {
          for (int i = 0; i < group.size(); i++) {
            deliver(group.get(i), results.get(i).result(), null);
          }
          return Future.<Void>succeededFuture();
        }
        if (results.stream().anyMatch(result -> result.failed() && result.cause() instanceof PgException)
          || committed.cause() instanceof PgException) {
          // Postgres refused a statement or the commit, so the whole group rolled back (a COMMIT of an
          // aborted transaction rolls back): write each again alone, so only the statement at fault fails
          registry.counter("oms.db.group.rewritten", "lane", lane, "sqlstate", sqlState(results, committed)).increment();
          return oneByOne(group, 0);
        }
        // the connection failed: whether the group committed is unknown, as for a statement alone
        Throwable failure = committed.failed() ? committed.cause()
          : results.stream().filter(Future::failed).findFirst().map(Future::cause).orElseThrow();
        group.forEach(pending -> deliver(pending, null, failure));
        return Future.<Void>succeededFuture();
      }));
    });
  }

  /** Why Postgres refused a group: the SQLSTATE of its first refused statement, or of the commit. */
  private static String sqlState(List<Future<RowSet<Row>>> results, io.vertx.core.AsyncResult<RowSet<Row>> committed) {
    return results.stream().filter(result -> result.failed() && result.cause() instanceof PgException)
      .map(result -> ((PgException) result.cause()).getSqlState()).findFirst()
      .orElseGet(() -> committed.cause() instanceof PgException pg ? pg.getSqlState() : "unknown");
  }

  private Future<Void> oneByOne(List<Pending> group, int from) {
    if (from == group.size()) {
      return Future.succeededFuture();
    }
    return alone(group.get(from)).compose(v -> oneByOne(group, from + 1));
  }

  private static void deliver(Pending pending, RowSet<Row> rows, Throwable failure) {
    Context caller = pending.caller();
    if (caller == null || caller == Vertx.currentContext()) {
      complete(pending.answer(), rows, failure);
    } else if (((ContextInternal) caller).inThread()) {
      // another verticle on this event loop: answered now, on its context, before the next group is formed,
      // so what the answer prompts (a batcher's next batch, waiting for this one) joins that group instead
      // of the one after; a task queued for it would run only after the next group had gone
      ((ContextInternal) caller).dispatch(v -> complete(pending.answer(), rows, failure));
    } else {
      caller.runOnContext(v -> complete(pending.answer(), rows, failure));
    }
  }

  private static void complete(Promise<RowSet<Row>> answer, RowSet<Row> rows, Throwable failure) {
    if (failure == null) {
      answer.complete(rows);
    } else {
      answer.fail(failure);
    }
  }
}
