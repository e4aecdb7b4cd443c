package com.oms.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a domain answers a command: the result as JSON, or a {@link Problem} whatever went wrong. */
public final class Replies {

  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  private Replies() {
  }

  /** Registers {@code handler} so that its future's outcome (JSON or a bus record) becomes the reply. */
  public static <T> io.vertx.core.Handler<Message<T>> replying(Function<Message<T>, Future<?>> handler) {
    return message -> {
      Future<?> result;
      try {
        result = handler.apply(message);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          toProblem(message.address(), ar.cause()).failReply(message);
        }
      });
    };
  }

  public static Problem toProblem(String where, Throwable failure) {
    if (failure instanceof Problem problem) {
      return problem;
    }
    if (isDependencyDown(failure)) {
      LOG.warn("{}: dependency unavailable: {}", where, failure.toString());
      return Problem.unavailable("a dependency is unavailable");
    }
    Problem fromBus = Problem.from(failure);
    if (fromBus.type() == ProblemType.INTERNAL && !(failure instanceof io.vertx.core.eventbus.ReplyException)) {
      LOG.error("{}: unexpected failure", where, failure);
    }
    return fromBus;
  }

  /**
   * Postgres or Redis unreachable, a connection dropped or a pool exhausted: worth a retry later. Any
   * I/O failure counts: after start-up the service does I/O only with its dependencies, and over a Unix
   * socket netty reports a restarting server as a broken pipe or a missing file, not a socket error.
   */
  public static boolean isDependencyDown(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof ClosedConnectionException
        || t instanceof io.vertx.circuitbreaker.OpenCircuitException) {
        return true;
      }
      // connection failures, shutdowns, and the transient conflicts (deadlock, serialization) a retry clears
      if (t instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P")
          || pg.getSqlState().equals("40P01") || pg.getSqlState().equals("40001"))) {
        return true;
      }
      String name = t.getClass().getSimpleName();
      String message = String.valueOf(t.getMessage());
      if (name.contains("Timeout") || name.contains("TooBusy") || name.contains("Closed") || message.contains("Connection refused") || message.contains("timed out")
        || message.contains("Connection is closed") || message.contains("acquire a connection")
        || message.contains("Connection is not active")) {
        return true;
      }
      // what the Redis client fails the commands with that were waiting on a connection when it closed
      if (t instanceof io.vertx.redis.client.impl.types.ErrorType && "CONNECTION_CLOSED".equals(message)) {
        return true;
      }
    }
    return false;
  }
}
