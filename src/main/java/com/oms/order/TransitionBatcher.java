package com.oms.order;

import com.oms.support.Batcher;
import com.oms.support.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Order transitions written in batches ({@link Batcher}): one statement and one commit for the transitions
 * that arrive while earlier ones are written. A batch holds at most one transition per order, and a second
 * transition of an order waits for the statement carrying the first, so one order's moves apply in order.
 */
final class TransitionBatcher {

  private static final int MAX_BATCH = 128;
  // per order verticle instance (one per event loop): the pool is shared with every other statement
  private static final int MAX_CONCURRENT_BATCHES = 1;

  /** One pending transition: the order as read, where it goes, and the outbox row it writes. */
  record Move(Order order, Transition transition, UUID eventId, JsonObject noticePayload) {
  }

  private final GroupCommit.Writes writes;
  private final String sql;
  private final Supplier<OffsetDateTime> clock;
  private final Batcher<Move, Row> batcher;

  TransitionBatcher(Vertx vertx, GroupCommit.Writes writes, String sql, Supplier<OffsetDateTime> clock) {
    this.writes = writes;
    this.sql = sql;
    this.clock = clock;
    this.batcher = new Batcher<>(vertx, MAX_BATCH, MAX_CONCURRENT_BATCHES, move -> move.order().orderId(), this::write);
  }

  /** Answers the order's row after the move, or null when the order had moved on (stale read). */
  Future<Row> move(Order order, Transition transition, UUID eventId, JsonObject noticePayload) {
    return batcher.submit(new Move(order, transition, eventId, noticePayload));
  }

  private Future<List<Row>> write(List<Move> batch) {
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
    String[] vias = new String[size];
    String[] viaReasons = new String[size];
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
      vias[i] = transition.via() == null ? null : transition.via().name();
      viaReasons[i] = transition.viaReason();
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(orderIds).addArrayOfInteger(versions).addArrayOfString(from)
      .addArrayOfString(to).addArrayOfString(partners).addArrayOfString(failures).addArrayOfJsonObject(payments)
      .addArrayOfBoolean(compensation).addArrayOfString(reasons).addArrayOfString(actors).addArrayOfUUID(eventIds)
      .addArrayOfString(eventTypes).addArrayOfJsonObject(payloads).addOffsetDateTime(clock.get())
      .addArrayOfString(vias).addArrayOfString(viaReasons);
    return writes.execute(sql, params).map(rows -> {
      Map<UUID, Row> moved = new HashMap<>();
      for (Row row : rows) {
        moved.put(row.getUUID("order_id"), row);
      }
      List<Row> answers = new ArrayList<>(size);
      batch.forEach(move -> answers.add(moved.get(move.order().orderId())));
      return answers;
    });
  }
}
