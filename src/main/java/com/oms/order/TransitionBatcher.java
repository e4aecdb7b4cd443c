package com.oms.order;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Application-level group commit of order transitions: the transitions that arrive while earlier
 * statements run go out together, one statement and one commit for all of them. Under light load a
 * transition goes out alone at once (no added latency); under heavy load each statement carries many.
 * Measured with pgbench on this project's SQL, a commit per statement cost 2.5x the throughput of one
 * commit per order. A batch holds at most one transition per order, and a second transition of an order
 * waits until the statement carrying the first has finished, so one order's moves apply in order.
 * Confined to the event loop of the verticle that created it.
 */
final class TransitionBatcher {

  private static final int MAX_BATCH = 128;
  private static final int MAX_CONCURRENT_BATCHES = 4;

  /** One pending transition: the order as read, where it goes, and who waits for the row. */
  record Move(Order order, Transition transition, UUID eventId, JsonObject noticePayload, Promise<Row> moved) {
  }

  private final Pool pool;
  private final String sql;
  private final Supplier<OffsetDateTime> clock;
  private final Context context;
  private final List<Move> waiting = new ArrayList<>();
  /** Orders in a statement now: a later move of one of them waits, so moves of one order apply in order. */
  private final Set<UUID> writing = new HashSet<>();
  private int running;

  TransitionBatcher(Vertx vertx, Pool pool, String sql, Supplier<OffsetDateTime> clock) {
    this.pool = pool;
    this.sql = sql;
    this.clock = clock;
    this.context = vertx.getOrCreateContext();
  }

  /** Answers the order's row after the move, or null when the order had moved on (stale read). */
  Future<Row> move(Order order, Transition transition, UUID eventId, JsonObject noticePayload) {
    Promise<Row> moved = Promise.promise();
    Move move = new Move(order, transition, eventId, noticePayload, moved);
    if (Vertx.currentContext() == context) {
      enqueue(move);
    } else {
      context.runOnContext(v -> enqueue(move));
    }
    return moved.future();
  }

  private void enqueue(Move move) {
    waiting.add(move);
    flush();
  }

  private void flush() {
    while (!waiting.isEmpty() && running < MAX_CONCURRENT_BATCHES) {
      List<Move> batch = new ArrayList<>();
      Set<UUID> orders = new HashSet<>();
      for (Iterator<Move> it = waiting.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
        Move move = it.next();
        UUID order = move.order().orderId();
        if (!writing.contains(order) && orders.add(order)) {
          batch.add(move);
          it.remove();
        }
      }
      if (batch.isEmpty()) {
        return; // everything waiting is behind a statement in flight; its completion flushes again
      }
      writing.addAll(orders);
      running++;
      write(batch).onComplete(ar -> {
        running--;
        writing.removeAll(orders);
        flush();
      });
    }
  }

  private Future<Void> write(List<Move> batch) {
    int size = batch.size();
    UUID[] orderIds = new UUID[size];
    Integer[] versions = new Integer[size];
    String[] from = new String[size];
    String[] to = new String[size];
    String[] partners = new String[size];
    String[] failures = new String[size];
    JsonObject[] payments = new JsonObject[size];
    Boolean[] compensation = new Boolean[size];
    String[] reasons = new String[size];
    String[] actors = new String[size];
    UUID[] eventIds = new UUID[size];
    String[] eventTypes = new String[size];
    JsonObject[] payloads = new JsonObject[size];
    for (int i = 0; i < size; i++) {
      Move move = batch.get(i);
      Transition transition = move.transition();
      orderIds[i] = move.order().orderId();
      versions[i] = move.order().version();
      from[i] = move.order().status().name();
      to[i] = transition.to().name();
      partners[i] = transition.partnerId();
      failures[i] = transition.failureReason();
      payments[i] = transition.payment();
      compensation[i] = transition.compensationPending();
      reasons[i] = transition.reason();
      actors[i] = transition.actor();
      eventIds[i] = move.eventId();
      eventTypes[i] = transition.notice();
      payloads[i] = move.noticePayload();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(orderIds).addArrayOfInteger(versions).addArrayOfString(from)
      .addArrayOfString(to).addArrayOfString(partners).addArrayOfString(failures).addArrayOfJsonObject(payments)
      .addArrayOfBoolean(compensation).addArrayOfString(reasons).addArrayOfString(actors).addArrayOfUUID(eventIds)
      .addArrayOfString(eventTypes).addArrayOfJsonObject(payloads).addOffsetDateTime(clock.get());
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      Map<UUID, Row> moved = new HashMap<>();
      for (Row row : rows) {
        moved.put(row.getUUID("order_id"), row);
      }
      batch.forEach(move -> move.moved().complete(moved.get(move.order().orderId())));
      return (Void) null;
    }).onFailure(failure -> batch.forEach(move -> move.moved().tryFail(failure)));
  }
}
